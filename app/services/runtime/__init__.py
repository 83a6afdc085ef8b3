"""The collaborators every use case needs, built once per app by create_app."""

from __future__ import annotations

import contextlib
import contextvars
import threading
from datetime import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator


from ...db import Database
from ...domain import promises
from ...domain.intake import complete_live_intake
from ...domain.calendar import WorkingCalendar
from ...domain.clock import Clock, to_utc
from ...domain.sla import SlaPolicy
from ...engine import Engine, ProcessBundle, parse_bundle, running_bundle
from ...errors import NotFound
from ...models import ProcessVersion
from ...plain_sql import Sql
from .calendar_store import CalendarStore
from .live_instances import LiveInstances

_SLA_START: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("sla_start", default=None)


@dataclass(frozen=True)
class DeployedModel:
    """A deployed version ready to run: its parsed bundle and its forms. Immutable."""

    version_id: int
    process_id: str
    version: int
    bundle: ProcessBundle
    forms: dict[str, str]  # file name -> schema text

    def form(self, name: str | None) -> str | None:
        return self.forms.get(name) if name else None


# Every start asks: plain SQL (app/plain_sql.py).
_CURRENT_VERSION = Sql(
    "SELECT id FROM process_version WHERE process_id = :pid AND is_current = TRUE ORDER BY version DESC LIMIT 1"
)


@dataclass
class Runtime:
    """The app's database, clock, calendar, SLA policy and engine."""

    db: Database
    clock: Clock
    calendars: CalendarStore
    policy: SlaPolicy
    settings: dict[str, Any]
    # what a service task calls (services/connectors.call_connector): passed in by bootstrap, since the
    # connectors use the runtime and the outbox above it
    call_connector: Callable[["Runtime", str, dict, dict], Any]
    engine: Engine = field(init=False)
    live: LiveInstances = field(init=False, repr=False)  # engine objects of recently saved instances
    _models: dict[int, DeployedModel] = field(default_factory=dict, init=False, repr=False)
    _policies: dict[str, SlaPolicy] = field(default_factory=dict, init=False, repr=False)  # by bundle hash
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.engine = Engine(
            functions={"now_iso": self._now_iso},
            context_functions={
                "sla_due": self._sla_due,
                "sla_warn": self._sla_warn,
                "promise_due": self._promise_due,
                "promise_warn": self._promise_warn,
                "live_intake": self._live_intake,
            },
            now=self.clock.now,
            services=self._call_service,
        )
        self.live = LiveInstances(int(self.settings.get("LIVE_INSTANCES", 256)))

    def _call_service(self, name: str, params: dict, data: dict):
        return self.call_connector(self, name, params, data)

    @property
    def calendar(self) -> WorkingCalendar:
        """The working calendar with the override table applied (reloaded when it changes)."""
        return self.calendars.current()

    @property
    def forms_dir(self) -> Path:
        return Path(self.settings["FORMS_DIR"])

    def model(self, version_id: int) -> DeployedModel:
        """The deployed model of a version, parsed once per process (versions never change)."""
        found = self._models.get(version_id)
        if found is not None:
            return found
        with self.db.read() as s:
            row = s.get(ProcessVersion, version_id)
            if row is None:
                raise NotFound(f"process version {version_id} does not exist", code="process.version_not_found")
            files = dict(row.files)
            pid, ver, main = row.process_id, row.version, row.bpmn_file
        model = build_model(version_id, pid, ver, main, files)
        with self._lock:
            self._models.setdefault(version_id, model)
        return self._models[version_id]

    def current_model(self, process_id: str) -> DeployedModel:
        """The version new instances of a process start on."""
        with self.db.plain() as db:
            got = db.first(_CURRENT_VERSION, {"pid": process_id})
        vid = got[0] if got else None
        if vid is None:
            raise NotFound(f"process '{process_id}' is not deployed", code="process.not_deployed")
        return self.model(vid)

    # -- functions offered to diagram expressions -------------------------------------------
    def _live_intake(self, data: dict[str, Any]) -> bool:
        # a function, not a data name: instances started without the intake fields (API, scenarios) stay valid
        return complete_live_intake(data)

    def _severity(self, data: dict[str, Any]) -> str:
        severity = data.get("severity")
        return severity if isinstance(severity, str) and severity else "general"

    def policy_of(self, bundle: ProcessBundle | None) -> SlaPolicy:
        """The SLA policy a deployed version runs with: config/sla.toml, its own step limits laid over."""
        if bundle is None or not bundle.sla_limits:
            return self.policy
        found = self._policies.get(bundle.hash)
        if found is None:
            found = self._policies.setdefault(bundle.hash, self.policy.with_limits(bundle.sla_limits))
        return found

    def _running_policy(self) -> SlaPolicy:
        return self.policy_of(running_bundle())

    def _sla_due(self, data: dict[str, Any], step: str, since: Any = None) -> str:
        policy = self._running_policy()
        return policy.deadline(step, self._severity(data), self._sla_start(since), self.calendar).at.isoformat()

    def _sla_warn(self, data: dict[str, Any], step: str, since: Any = None) -> str:
        policy = self._running_policy()
        return policy.warning_at(step, self._severity(data), self._sla_start(since), self.calendar).at.isoformat()

    def _promise_due(self, data: dict[str, Any], promised: Any = None) -> str:
        day = promises.promised_day(promised)
        if day is not None:
            return promises.promise_deadline(day).isoformat()
        start = self._sla_start(data.get("registered_at"))
        return self.policy.complaint_deadline("final_reply", self._severity(data), start, self.calendar).at.isoformat()

    def _promise_warn(self, data: dict[str, Any], promised: Any = None) -> str:
        day = promises.promised_day(promised)
        if day is not None:
            return promises.promise_warning(day).isoformat()
        start = self._sla_start(data.get("registered_at"))
        limit = self.policy.complaint_limit("final_reply", self._severity(data))
        return limit.warning_at(start, self.calendar, limit.warn_at[0] if limit.warn_at else 0.8).at.isoformat()

    def _now_iso(self) -> str:
        # Diagrams stamp the manual's events (registration, classification, solution) with it,
        # so a later step's clock counts from that event rather than from when the step is reached.
        return self.clock.now().isoformat()

    def _sla_start(self, since: Any = None) -> datetime:
        """The instant a clock counts from: the event named in the diagram, else now.

        A recompute (a year's schedule entered) evaluates the timer again from when it was armed;
        an explicit event instant wins over both, since it is the same on every evaluation.
        """
        event = event_instant(since)
        return event or _SLA_START.get() or self.clock.now()

    @contextlib.contextmanager
    def sla_started_at(self, start: datetime) -> Iterator[None]:
        """Make sla_due/sla_warn count from start instead of now within the block."""
        token = _SLA_START.set(start)
        try:
            yield
        finally:
            _SLA_START.reset(token)


def event_instant(value: Any) -> datetime | None:
    """An ISO instant stamped into task data (e.g. registered_at), or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return to_utc(at) if at.tzinfo else None


def split_files(files: dict[str, str]) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, str]]:
    """Sort a version's files into BPMN, DMN and forms."""
    bpmn = {n: t.encode() for n, t in files.items() if n.endswith((".bpmn", ".bpmn20.xml"))}
    dmn = {n: t.encode() for n, t in files.items() if n.endswith(".dmn")}
    forms = {n: t for n, t in files.items() if n.endswith(".json")}
    return bpmn, dmn, forms


def build_model(version_id: int, process_id: str, version: int, main: str, files: dict[str, str]) -> DeployedModel:
    bpmn, dmn, forms = split_files(files)
    bundle = parse_bundle(bpmn, dmn, process_id=process_id)
    return DeployedModel(version_id, process_id, version, bundle, forms)
