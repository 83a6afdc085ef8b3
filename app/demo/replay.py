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

It is the bulk path: a million copies in minutes, not hours. Everything that does not change
between copies is prepared once per template, in the form the database stores it: each row is a
tuple of stored values with a few slots to fill (ids, moved instants, renewed texts); the JSON
texts (the state, the audit data, the timers' details) and the audit chain's canonical texts are
cut into fixed segments around the tokens a copy swaps. A copy then fills the slots, joins the
segments, hashes its chain and compresses its state. Rows reach the database without the ORM:
one ``executemany`` per table and batch on SQLite, ``COPY`` on PostgreSQL, inside the caller's
transaction. The values are those the write path stores (plain_sql.py: UTC text on SQLite,
compact JSON), so the pages, the reports and the chain check cannot tell a copy from a
complaint worked through the services.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, insert, select, text

from ..domain.clock import local_date
from ..engine import state_from_text, state_text
from ..models import AuditEvent, Complaint, HumanTask, NumberSequence, ProcessInstance, Timer
from ..plain_sql import Plain
from ..services.audit.log import GENESIS

SEP = "\x00"  # never in JSON text: joins a template's texts so a copy rewrites them in one pass
IID = '"\\u0001iid"'  # the instance id's place in a canonical text (json.dumps of "\x01iid")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})"
TABLES = (ProcessInstance, Complaint, HumanTask, Timer, AuditEvent)  # parents first
HASHED = ("instance_id", "seq", "actor_id", "actor", "type", "task_id", "element_id", "element_name", "reason")


def _stored_time(value: datetime, postgresql: bool) -> str:
    """An aware datetime as the write path stores it (UTC text on SQLite; text PostgreSQL parses)."""
    utc = value.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%d %H:%M:%S.%f+00" if postgresql else "%Y-%m-%d %H:%M:%S.%f")


@dataclass
class Rows:
    """One table's rows of a template, stored values with the slots a copy fills."""

    values: list[list[Any]]  # per row, the stored values; the slots a copy fills hold placeholders
    times: list[list[tuple[int, int, str]]]  # per row: (column position, UTC day ordinal, the text after the day)


def _columns(model) -> dict[str, int]:
    return {c.name: i for i, c in enumerate(model.__table__.columns)}


POS = {m: _columns(m) for m in TABLES}


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
    rows: dict[Any, Rows] = field(default_factory=dict)
    uuids: tuple[str, ...] = ()
    instants: dict[str, datetime] = field(default_factory=dict)
    segments: tuple[str, ...] = ()  # the joined texts between tokens
    tokens: tuple[str, ...] = ()  # the tokens (ids, instants, customer, the instance id) in order

    def prepare(self, dialect) -> "Template":
        """Cut the texts around the tokens and store the rows' fixed values, once per template."""
        postgresql = dialect.name == "postgresql"
        texts = [state_text(self.instance["state"])]
        for e in self.events:
            canonical = {k: e[k] for k in HASHED} | {
                "instance_id": "\x01iid",
                "at": e["at"].isoformat(),
                "data_before": e["data_before"],
                "data_after": e["data_after"],
            }
            texts += [
                Plain.json(e["data_before"]) or "",
                Plain.json(e["data_after"]) or "",
                json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str),
                e["task_id"] or "",
            ]
        for tm in self.timers:
            texts += [Plain.json(tm["details"]) or "", tm["task_id"]]
        texts += [t["id"] for t in self.tasks]
        blob = SEP.join(texts)
        self.uuids = tuple(dict.fromkeys(UUID_RE.findall(blob)))
        self.instants = {m: datetime.fromisoformat(m.replace("Z", "+00:00")) for m in set(re.findall(ISO, blob))}
        pattern = re.compile(
            "|".join([UUID_RE.pattern, ISO, re.escape(self.phone), re.escape(self.name), re.escape(IID)])
        )
        # Found once: a copy then only swaps tokens between fixed segments, no scan per copy.
        segments, tokens, prev = [], [], 0
        for m in pattern.finditer(blob):
            segments.append(blob[prev : m.start()])
            tokens.append(m.group(0))
            prev = m.end()
        segments.append(blob[prev:])
        self.segments, self.tokens = tuple(segments), tuple(tokens)
        sources = {
            ProcessInstance: [self.instance],
            Complaint: [self.complaint],
            HumanTask: self.tasks,
            Timer: self.timers,
            AuditEvent: self.events,
        }
        for model, dicts in sources.items():
            columns = list(model.__table__.columns)
            binds = [None if postgresql else c.type.bind_processor(dialect) for c in columns]
            values, times = [], []
            for d in dicts:
                row, moved = [], []
                for pos, (c, bind) in enumerate(zip(columns, binds)):
                    v = d[c.name]
                    if isinstance(v, datetime):
                        stored = _stored_time(v, postgresql)
                        moved.append((pos, date.fromisoformat(stored[:10]).toordinal(), stored[10:]))
                        v = None
                    elif isinstance(v, (dict, list)):
                        v = None  # JSON: a copy's own text from the blob
                    elif bind is not None and v is not None:
                        v = bind(v)
                    row.append(v)
                values.append(row)
                times.append(moved)
            self.rows[model] = Rows(values, times)
        return self


def new_uuids(bits: int, n: int) -> list[str]:
    """n version-4 UUIDs (RFC variant) cut from n * 128 random bits, as text."""
    h = f"{bits:0{32 * n}x}"
    out = []
    for i in range(0, 32 * n, 32):
        variant = "89ab"[int(h[i + 16], 16) & 3]
        out.append(
            f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-4{h[i + 13 : i + 16]}-{variant}{h[i + 17 : i + 20]}-{h[i + 20 : i + 32]}"
        )
    return out


def _rows(s, model, *where) -> list[dict[str, Any]]:
    # In id order: a copy's ids follow its template's (PostgreSQL returns updated rows in any order).
    table = model.__table__
    return [dict(r._mapping) for r in s.execute(select(table).where(*where).order_by(*table.primary_key))]


def load_templates(s, complaint_ids: list[int]) -> list[Template]:
    """Read finished complaints with everything the services wrote for them, prepared for copying."""
    out = []
    dialect = s.get_bind().dialect
    for cid in complaint_ids:
        c = _rows(s, Complaint, Complaint.id == cid)[0]
        iid = c["instance_id"]
        inst = _rows(s, ProcessInstance, ProcessInstance.id == iid)[0]
        tasks = _rows(s, HumanTask, HumanTask.instance_id == iid)
        timers = _rows(s, Timer, Timer.instance_id == iid)
        events = sorted(_rows(s, AuditEvent, AuditEvent.instance_id == iid), key=lambda e: e["seq"])
        instants = [v for row in (c, inst, *tasks, *timers, *events) for v in row.values() if isinstance(v, datetime)]
        template = Template(
            c["created_at"], max(instants), c["customer_name"], c["customer_phone"], inst, c, tasks, timers, events
        )
        out.append(template.prepare(dialect))
    return out


class Replayer:
    """Copies templates to new arrivals; rows are written in batches on the session's own connection."""

    def __init__(self, s, rng):
        self.s, self.random = s, rng
        self.next_id = {
            m: (s.scalar(select(func.max(m.__table__.c.id))) or 0)
            for m in (ProcessInstance, Complaint, Timer, AuditEvent)
        }
        self.numbers = dict(s.execute(select(NumberSequence.day, NumberSequence.last)).all())
        self.pending: dict[Any, list[list[Any]]] = {m: [] for m in TABLES}
        self.copied: list[tuple[int, int, int]] = []  # (template's complaint id, copy's complaint id, days moved)
        if s.get_bind().dialect.name == "sqlite":
            # The copies' random task ids land all over human_task's primary key: keep its pages in memory.
            s.execute(text("PRAGMA cache_size = -262144"))  # 256 MB, this connection only

    def _number(self, day: str) -> str:
        self.numbers[day] = last = self.numbers.get(day, 0) + 1
        return f"TS{day}{last:06d}"

    def copy(self, t: Template, days: int, name: str, phone: str) -> None:
        """Queue a copy of t moved by days, for another customer."""
        delta = timedelta(days=days)
        next_id = self.next_id
        iid, cid = next_id[ProcessInstance] + 1, next_id[Complaint] + 1
        next_id[ProcessInstance], next_id[Complaint] = iid, cid
        mapping = dict(zip(t.uuids, new_uuids(self.random.getrandbits(128 * len(t.uuids)), len(t.uuids))))
        mapping.update({text_: (at + delta).isoformat() for text_, at in t.instants.items()})
        mapping[t.phone], mapping[t.name], mapping[IID] = phone, name, str(iid)

        pieces: list[str] = [""] * (2 * len(t.tokens) + 1)
        pieces[0::2], pieces[1::2] = t.segments, [mapping.get(tok, tok) for tok in t.tokens]
        parts = iter("".join(pieces).split(SEP))

        days_text: dict[int, str] = {}

        def rows(model) -> list[list[Any]]:
            template = t.rows[model]
            out = []
            for values, times in zip(template.values, template.times):
                row = values.copy()
                for pos, ordinal, rest in times:
                    day = days_text.get(ordinal)
                    if day is None:
                        day = days_text[ordinal] = date.fromordinal(ordinal + days).isoformat()
                    row[pos] = day + rest
                out.append(row)
            return out

        (inst,) = rows(ProcessInstance)
        p = POS[ProcessInstance]
        inst[p["id"]], inst[p["state"]] = iid, state_from_text(next(parts))
        self.pending[ProcessInstance].append(inst)

        (c,) = rows(Complaint)
        p = POS[Complaint]
        created = t.complaint["created_at"] + delta
        c[p["id"]], c[p["instance_id"]], c[p["number"]] = cid, iid, self._number(local_date(created).strftime("%Y%m%d"))
        c[p["customer_name"]], c[p["customer_phone"]] = name, phone
        if t.complaint["account"] == t.phone:
            c[p["account"]] = phone
        self.pending[Complaint].append(c)

        p = POS[AuditEvent]
        events = rows(AuditEvent)
        hashed: list[tuple[list[Any], str]] = []
        for e in events:
            before, after, canonical, task_id = next(parts), next(parts), next(parts), next(parts)
            e[p["instance_id"]], e[p["task_id"]] = iid, task_id or None
            e[p["data_before"]], e[p["data_after"]] = before or None, after or None
            hashed.append((e, canonical))
        p = POS[Timer]
        for tm in rows(Timer):
            next_id[Timer] += 1
            details, task_id = next(parts), next(parts)
            tm[p["id"]], tm[p["instance_id"]], tm[p["task_id"]] = next_id[Timer], iid, task_id
            tm[p["details"]] = details or None
            self.pending[Timer].append(tm)
        p = POS[HumanTask]
        for task in rows(HumanTask):
            task[p["id"]], task[p["instance_id"]] = next(parts), iid
            self.pending[HumanTask].append(task)
        p = POS[AuditEvent]
        prev = GENESIS
        for e, canonical in hashed:
            next_id[AuditEvent] += 1
            sha = hashlib.sha256((prev + canonical).encode("utf-8"))
            digest = sha.hexdigest()  # chained as hex, stored as the 32 bytes
            e[p["id"]], e[p["prev_hash"]], e[p["hash"]] = next_id[AuditEvent], bytes.fromhex(prev), sha.digest()
            prev = digest
            self.pending[AuditEvent].append(e)
        self.copied.append((t.complaint["id"], cid, days))

    def flush(self) -> None:
        """Write what is queued, parents first: executemany on SQLite, COPY on PostgreSQL."""
        conn = self.s.connection()
        raw = conn.connection.driver_connection
        postgresql = conn.dialect.name == "postgresql"
        for model in TABLES:
            rows = self.pending[model]
            if not rows:
                continue
            table = model.__table__
            names = ", ".join(c.name for c in table.columns)
            if postgresql:
                with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in table.columns)
                raw.cursor().executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
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
