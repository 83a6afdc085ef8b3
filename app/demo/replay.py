"""Scale a history made by the real services: replay finished complaints at other dates, for other customers.

Working 100,000 complaints one step at a time through the services takes hours on two cores
(about 8 complaints a second: each completion loads, runs and saves the workflow). So the
generator works a few thousand complaints through the services (templates spread over the
whole period, and every complaint of the last days so the open backlog is real), and this
module copies finished templates to new arrival dates: every row the services wrote (instance
state, complaint, tasks, timers, audit events) is copied with the engine's task ids renewed,
the customer and the complaint number replaced, every instant moved by a whole number of days
(time of day, office hours and step durations kept) and the audit chain recomputed for the new
instance, so `verify` accepts it. Deadlines keep their template's length: a holiday on the new
dates is not re-applied to a copied, finished complaint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from ..domain.clock import local_date
from ..engine import state_from_text, state_text
from ..models import AuditEvent, Complaint, HumanTask, NumberSequence, ProcessInstance, Timer
from ..services.audit.log import GENESIS, event_hash

SEP = "\x00"  # never in JSON text: joins a template's texts so a copy rewrites them in one pass
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})"
TABLES = (ProcessInstance, Complaint, HumanTask, Timer, AuditEvent)


@dataclass
class Template:
    arrival: datetime
    last: datetime  # the latest instant any of its rows holds
    name: str
    phone: str
    instance: dict[str, Any]
    complaint: dict[str, Any]
    tasks: list[dict[str, Any]]
    timers: list[dict[str, Any]]
    events: list[dict[str, Any]]
    state_text: str = ""
    uuids: tuple[str, ...] = ()
    instants: dict[str, datetime] | None = None
    pattern: re.Pattern | None = None
    blob: str = ""
    segments: tuple[str, ...] = ()  # the blob's text between tokens
    tokens: tuple[str, ...] = ()  # the tokens (ids, instants, customer) in order

    def __post_init__(self):
        # Prepared once per template: its JSON texts, the engine task ids and the instants they hold,
        # and one pattern finding all of those and the customer, so a copy is one pass per text.
        self.state_text = state_text(self.instance["state"])
        texts = [self.state_text]
        for e in self.events:
            e["_before"] = json.dumps(e["data_before"], ensure_ascii=False) if e["data_before"] is not None else None
            e["_after"] = json.dumps(e["data_after"], ensure_ascii=False) if e["data_after"] is not None else None
            texts += [e["_before"] or "", e["_after"] or "", e["task_id"] or ""]
        for tm in self.timers:
            tm["_details"] = json.dumps(tm["details"], ensure_ascii=False) if tm["details"] is not None else None
            texts += [tm["_details"] or "", tm["task_id"]]
        texts += [t["id"] for t in self.tasks]
        self.blob = joined = SEP.join(texts)
        self.uuids = tuple(dict.fromkeys(UUID_RE.findall(joined)))
        self.instants = {m: datetime.fromisoformat(m.replace("Z", "+00:00")) for m in set(re.findall(ISO, joined))}
        self.pattern = re.compile("|".join([UUID_RE.pattern, ISO, re.escape(self.phone), re.escape(self.name)]))
        # Found once: a copy then only swaps tokens between fixed segments, no scan per copy.
        segments, tokens, prev = [], [], 0
        for m in self.pattern.finditer(self.blob):
            segments.append(self.blob[prev : m.start()])
            tokens.append(m.group(0))
            prev = m.end()
        segments.append(self.blob[prev:])
        self.segments, self.tokens = tuple(segments), tuple(tokens)


def new_uuid(bits: int) -> str:
    h = f"{(bits & ~(0xF << 76) & ~(0x3 << 62)) | (0x4 << 76) | (0x2 << 62):032x}"  # version 4, RFC variant
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _rows(s, model, *where) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in s.execute(select(model.__table__).where(*where))]


def load_templates(s, complaint_ids: list[int]) -> list[Template]:
    """Read finished complaints with everything the services wrote for them."""
    out = []
    for cid in complaint_ids:
        c = _rows(s, Complaint, Complaint.id == cid)[0]
        iid = c["instance_id"]
        inst = _rows(s, ProcessInstance, ProcessInstance.id == iid)[0]
        tasks = _rows(s, HumanTask, HumanTask.instance_id == iid)
        timers = _rows(s, Timer, Timer.instance_id == iid)
        events = sorted(_rows(s, AuditEvent, AuditEvent.instance_id == iid), key=lambda e: e["seq"])
        instants = [v for row in (c, inst, *tasks, *timers, *events) for v in row.values() if isinstance(v, datetime)]
        out.append(
            Template(
                c["created_at"], max(instants), c["customer_name"], c["customer_phone"], inst, c, tasks, timers, events
            )
        )
    return out


class Replayer:
    """Copies templates to new arrivals; rows are inserted in batches by the caller's session."""

    def __init__(self, s, rng):
        self.s, self.random = s, rng
        self.next_id = {
            m: (s.scalar(select(func.max(m.__table__.c.id))) or 0)
            for m in (ProcessInstance, Complaint, Timer, AuditEvent)
        }
        self.numbers = dict(s.execute(select(NumberSequence.day, NumberSequence.last)).all())
        self.pending: dict[Any, list[dict[str, Any]]] = {m: [] for m in TABLES}

    def _id(self, model) -> int:
        self.next_id[model] += 1
        return self.next_id[model]

    def _number(self, at: datetime) -> str:
        day = local_date(at).strftime("%Y%m%d")
        self.numbers[day] = self.numbers.get(day, 0) + 1
        return f"TS{day}{self.numbers[day]:06d}"

    def copy(self, t: Template, days: int, name: str, phone: str) -> None:
        """Queue a copy of t moved by days, for another customer."""
        delta = timedelta(days=days)
        mapping = {old: new_uuid(self.random.getrandbits(128)) for old in t.uuids}
        mapping.update({text_: (at + delta).isoformat() for text_, at in t.instants.items()})
        mapping[t.phone], mapping[t.name] = phone, name

        swapped = [mapping.get(tok, tok) for tok in t.tokens]
        pieces = [None] * (2 * len(swapped) + 1)
        pieces[0::2], pieces[1::2] = t.segments, swapped
        parts = iter("".join(pieces).split(SEP))

        def moved(row: dict[str, Any], *skip: str) -> dict[str, Any]:
            return {k: (v + delta if isinstance(v, datetime) else v) for k, v in row.items() if k not in skip}

        def as_json(text_: str):
            return json.loads(text_) if text_ else None

        iid, cid = self._id(ProcessInstance), self._id(Complaint)
        state = next(parts)
        self.pending[ProcessInstance].append(moved(t.instance) | {"id": iid, "state": state_from_text(state)})
        c = moved(t.complaint)
        self.pending[Complaint].append(
            c
            | {
                "id": cid,
                "instance_id": iid,
                "number": self._number(c["created_at"]),
                "customer_name": name,
                "customer_phone": phone,
                "account": phone if t.complaint["account"] == t.phone else t.complaint["account"],
            }
        )
        events = []
        for row in t.events:
            before, after, task_id = next(parts), next(parts), next(parts)
            events.append((row, as_json(before), as_json(after), task_id or None))
        for row in t.timers:
            details, task_id = next(parts), next(parts)
            self.pending[Timer].append(
                moved(row, "_details")
                | {"id": self._id(Timer), "instance_id": iid, "task_id": task_id, "details": as_json(details)}
            )
        for row in t.tasks:
            self.pending[HumanTask].append(moved(row) | {"id": next(parts), "instance_id": iid})
        prev = GENESIS
        for row, before, after, task_id in events:
            e = moved(row, "_before", "_after") | {
                "id": self._id(AuditEvent),
                "instance_id": iid,
                "prev_hash": prev,
                "task_id": task_id,
                "data_before": before,
                "data_after": after,
            }
            e["hash"] = event_hash(
                prev,
                {
                    k: e[k]
                    for k in (
                        "instance_id",
                        "seq",
                        "actor_id",
                        "actor",
                        "type",
                        "task_id",
                        "element_id",
                        "element_name",
                        "reason",
                        "data_before",
                        "data_after",
                    )
                }
                | {"at": e["at"].isoformat()},
            )
            prev = e["hash"]
            self.pending[AuditEvent].append(e)

    def flush(self) -> None:
        """Insert what is queued, parents first."""
        for model in TABLES:
            rows = self.pending[model]
            if rows:
                self.s.execute(insert(model.__table__), rows)
                rows.clear()

    def finish(self) -> None:
        """Record the numbers handed out and move PostgreSQL's id sequences past the copied ids."""
        self.flush()
        existing = set(self.s.scalars(select(NumberSequence.day)))
        for day, last in self.numbers.items():
            if day in existing:
                self.s.execute(NumberSequence.__table__.update().where(NumberSequence.day == day).values(last=last))
            else:
                self.s.execute(insert(NumberSequence.__table__).values(day=day, last=last))
        if self.s.bind.dialect.name == "postgresql":
            for model in (ProcessInstance, Complaint, Timer, AuditEvent):
                name = model.__tablename__
                self.s.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                    )
                )
