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

import functools
import hashlib
import json
import operator
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select, text

from ..domain.clock import local_date
from ..engine import state_from_text, state_text
from ..models import AuditEvent, Complaint, HumanTask, NumberSequence, ProcessInstance, Timer
from ..plain_sql import Plain
from ..services.audit.log import GENESIS
from .builders import Builders
from .bulk_write import TABLES

SEP = "\x00"  # never in JSON text: joins a template's texts so a copy rewrites them in one pass
IID = '"\\u0001iid"'  # the instance id's place in a canonical text (json.dumps of "\x01iid")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})"
# zlib level of the copies' states: 4 stores 1 % more than the write path's 6 (5,733 bytes against 5,670 on
# average, 0.2 % of a copy's 27 KB) for 0.25 ms of CPU instead of 0.39, the largest single cost of a copy.
STATE_LEVEL = 4
HASHED = ("instance_id", "seq", "actor_id", "actor", "type", "task_id", "element_id", "element_name", "reason")


def _stored_time(value: datetime, postgresql: bool) -> str:
    """An aware datetime as the write path stores it (UTC text on SQLite; text PostgreSQL parses)."""
    utc = value.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%d %H:%M:%S.%f+00" if postgresql else "%Y-%m-%d %H:%M:%S.%f")


@dataclass
class Rows:
    """One table's rows of a template, stored values with the slots a copy fills."""

    values: list[list[Any]]  # per row, the stored values; the slots a copy fills hold placeholders
    times: list[list[tuple[int, int, str]]]  # per row: (column position, its day's index in ordinals, the text after)
    _make: Any = field(default=None, repr=False, compare=False)

    def make(self, day_text: list[str]) -> list[list[Any]]:
        """A copy's rows: new lists of the stored values, each instant its day's date and its time of day."""
        if self._make is None:
            self._make = self._compile()
        return self._make(day_text)

    def _compile(self):
        # One list display per row, its fixed values as constants: about 50 rows a copy made without a
        # loop per row and per instant (compiled in the process that uses it: a function does not pickle).
        consts: list[Any] = []
        rows = []
        for row, moved in zip(self.values, self.times):
            at = {pos: (k, rest) for pos, k, rest in moved}
            cells = []
            for pos, v in enumerate(row):
                if pos in at:
                    cells.append(f"d[{at[pos][0]}] + {at[pos][1]!r}")
                elif v is None or type(v) in (int, str, bool):
                    cells.append(repr(v))
                else:
                    consts.append(v)
                    cells.append(f"K[{len(consts) - 1}]")
            rows.append("[" + ", ".join(cells) + "]")
        return eval("lambda d: [" + ", ".join(rows) + "]", {"K": tuple(consts)})  # noqa: S307 (our own text)

    def __getstate__(self) -> dict[str, Any]:
        return {"values": self.values, "times": self.times, "_make": None}


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
    ordinals: list[int] = field(default_factory=list)  # the days the rows' (UTC) and the texts' instants fall on
    cut: tuple[str, ...] = ()  # segments with the instants' times of day and offsets joined to them (_slots)
    pick: Any = None  # a copy's values -> the texts between the segments, in order

    def prepare(self, dialect) -> "Template":
        """Cut the texts around the tokens and store the rows' fixed values, once per template."""
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
        self._rows_of(dialect)
        self._slots()
        return self

    def _slots(self) -> None:
        """Where each token's new text comes from in a copy's values (see Order's build), fixed per template.

        A copy's values are [phone, name, instance id, its new UUIDs..., its days' dates...]. An instant
        moved by whole days keeps its time of day and offset: its token becomes its date alone (the
        copy's date of the same day index) and the rest of its text joins the segment after it, so a
        copy moves about 600 instants by picking dates, with no datetime parsed or formatted.
        """
        uuid_slot = {u: 3 + i for i, u in enumerate(self.uuids)}
        fixed = {self.phone: 0, self.name: 1, IID: 2}
        days = 3 + len(self.uuids)
        segments, slots = [self.segments[0]], []
        for i, token in enumerate(self.tokens):
            after = self.segments[i + 1]
            if token in uuid_slot:
                slots.append(uuid_slot[token])
            elif token in self.instants:
                at = self.instants[token].isoformat()  # the text a copy writes: offsets kept, "Z" as "+00:00"
                ordinal = self.instants[token].date().toordinal()  # its date in its own offset
                if ordinal not in self.ordinals:
                    self.ordinals.append(ordinal)
                slots.append(days + self.ordinals.index(ordinal))
                after = at[10:] + after
            else:
                slots.append(fixed[token])
            segments.append(after)
        self.cut = tuple(segments)
        self.pick = operator.itemgetter(*slots) if len(slots) > 1 else (lambda v, k=slots[0]: (v[k],))

    def _rows_of(self, dialect) -> None:
        postgresql = dialect.name == "postgresql"
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
                        ordinal = date.fromisoformat(stored[:10]).toordinal()
                        if ordinal not in self.ordinals:
                            self.ordinals.append(ordinal)
                        moved.append((pos, self.ordinals.index(ordinal), stored[10:]))
                        v = None
                    elif isinstance(v, (dict, list)):
                        v = None  # JSON: a copy's own text from the blob
                    elif bind is not None and v is not None:
                        v = bind(v)
                    row.append(v)
                values.append(row)
                times.append(moved)
            self.rows[model] = Rows(values, times)


@functools.lru_cache(maxsize=None)
def uuid_bits(n: int) -> tuple[int, int]:
    """For n UUIDs cut from n * 128 random bits: the mask keeping the random ones, and the version 4 and
    RFC variant bits set in their place (the 13th hex digit 4, the 17th one of 8, 9, a, b)."""
    clear = setting = 0
    for i in range(n):
        low = 128 * (n - 1 - i)  # the i-th UUID's lowest bit, the first UUID the most significant
        clear |= (0xF << (low + 76)) | (0xC << (low + 60))
        setting |= (0x4 << (low + 76)) | (0x8 << (low + 60))
    return ((1 << (128 * n)) - 1) ^ clear, setting


def new_uuids(bits: int, n: int) -> list[str]:
    """n version-4 UUIDs (RFC variant) cut from n * 128 random bits, as text."""
    mask, setting = uuid_bits(n)
    h = f"{bits & mask | setting:0{32 * n}x}"
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-{h[i + 16 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * n, 32)
    ]


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


class Order(NamedTuple):
    """What the writing process decides for one copy; building its rows from it needs nothing else."""

    template: int  # the template's index in the Replayer's list
    days: int
    name: str
    phone: str
    iid: int
    cid: int
    timer_id: int  # the copy's timers take the ids after this one, its audit events those after event_id
    event_id: int
    number: str
    bits: int  # random bits for the copy's new UUIDs


def build(t: Template, o: Order, out: dict[Any, list[list[Any]]]) -> None:
    """Append the copy's rows, as stored, to out's table lists (pure: runs in a worker process too)."""
    days, iid = o.days, o.iid
    day_text = [date.fromordinal(ordinal + days).isoformat() for ordinal in t.ordinals]
    values = [o.phone, o.name, str(iid), *new_uuids(o.bits, len(t.uuids)), *day_text]
    pieces: list[str] = [""] * (2 * len(t.tokens) + 1)
    pieces[0::2], pieces[1::2] = t.cut, t.pick(values)
    parts = iter("".join(pieces).split(SEP))

    def rows(model) -> list[list[Any]]:
        return t.rows[model].make(day_text)

    (inst,) = rows(ProcessInstance)
    p = POS[ProcessInstance]
    inst[p["id"]], inst[p["state"]] = iid, state_from_text(next(parts), STATE_LEVEL)
    out[ProcessInstance].append(inst)

    (c,) = rows(Complaint)
    p = POS[Complaint]
    c[p["id"]], c[p["instance_id"]], c[p["number"]] = o.cid, iid, o.number
    c[p["customer_name"]], c[p["customer_phone"]] = o.name, o.phone
    if t.complaint["account"] == t.phone:
        c[p["account"]] = o.phone
    out[Complaint].append(c)

    p = POS[AuditEvent]
    events = rows(AuditEvent)
    hashed: list[tuple[list[Any], str]] = []
    for e in events:
        before, after, canonical, task_id = next(parts), next(parts), next(parts), next(parts)
        e[p["instance_id"]], e[p["task_id"]] = iid, task_id or None
        e[p["data_before"]], e[p["data_after"]] = before or None, after or None
        hashed.append((e, canonical))
    p = POS[Timer]
    timer_id = o.timer_id
    for tm in rows(Timer):
        timer_id += 1
        details, task_id = next(parts), next(parts)
        tm[p["id"]], tm[p["instance_id"]], tm[p["task_id"]] = timer_id, iid, task_id
        tm[p["details"]] = details or None
        out[Timer].append(tm)
    p = POS[HumanTask]
    for task in rows(HumanTask):
        task[p["id"]], task[p["instance_id"]] = next(parts), iid
        out[HumanTask].append(task)
    p = POS[AuditEvent]
    prev, event_id = GENESIS, o.event_id
    for e, canonical in hashed:
        event_id += 1
        sha = hashlib.sha256((prev + canonical).encode("utf-8"))
        digest = sha.hexdigest()  # chained as hex, stored as the 32 bytes
        e[p["id"]], e[p["prev_hash"]], e[p["hash"]] = event_id, bytes.fromhex(prev), sha.digest()
        prev = digest
        out[AuditEvent].append(e)


def empty_rows() -> dict[Any, list[list[Any]]]:
    return {m: [] for m in TABLES}


class Replayer:
    """Copies templates to new arrivals: decides each copy here, builds its rows here or in workers, writes them."""

    def __init__(self, s, rng, templates: list[Template], workers: int = 0):
        self.s, self.random, self.templates = s, rng, templates
        self.index = {id(t): i for i, t in enumerate(templates)}
        self.next_id = {
            m: (s.scalar(select(func.max(m.__table__.c.id))) or 0)
            for m in (ProcessInstance, Complaint, Timer, AuditEvent)
        }
        self.numbers = dict(s.execute(select(NumberSequence.day, NumberSequence.last)).all())
        self.orders: list[Order] = []
        self.day_text: dict[date, str] = {}  # a local day as the complaint numbers spell it
        self.copied: list[tuple[int, int, int]] = []  # (template's complaint id, copy's complaint id, days moved)
        self.builders = Builders(templates, workers, build, s.get_bind().url.render_as_string(hide_password=False))

    def _number(self, day: str) -> str:
        self.numbers[day] = last = self.numbers.get(day, 0) + 1
        return f"TS{day}{last:06d}"

    def copy(self, t: Template, days: int, name: str, phone: str) -> None:
        """Queue a copy of t moved by days, for another customer: its ids, number and random bits are fixed here."""
        next_id = self.next_id
        iid, cid = next_id[ProcessInstance] + 1, next_id[Complaint] + 1
        next_id[ProcessInstance], next_id[Complaint] = iid, cid
        timer_id, event_id = next_id[Timer], next_id[AuditEvent]
        next_id[Timer] += len(t.timers)
        next_id[AuditEvent] += len(t.events)
        created = local_date(t.complaint["created_at"] + timedelta(days=days))
        day = self.day_text.get(created)
        if day is None:
            day = self.day_text[created] = created.strftime("%Y%m%d")
        number = self._number(day)
        bits = self.random.getrandbits(128 * len(t.uuids))
        self.orders.append(Order(self.index[id(t)], days, name, phone, iid, cid, timer_id, event_id, number, bits))
        self.copied.append((t.complaint["id"], cid, days))

    def flush(self, writer) -> None:
        """Hand the queued copies to the builders and write what they built before (parents first)."""
        orders, self.orders = self.orders, []
        for out in self.builders.submit(orders):
            writer.write(out)
        writer.commit()

    def finish(self, writer) -> None:
        """Write what is still queued or being built, and stop the workers."""
        self.flush(writer)
        for out in self.builders.drain():
            writer.write(out)
        writer.commit()
        self.builders.close()

    def record(self, s) -> None:
        """Record the numbers handed out and move PostgreSQL's id sequences past the copied ids (in s)."""
        existing = set(s.scalars(select(NumberSequence.day)))
        for day, last in self.numbers.items():
            if day in existing:
                s.execute(NumberSequence.__table__.update().where(NumberSequence.day == day).values(last=last))
            else:
                s.execute(insert(NumberSequence.__table__).values(day=day, last=last))
        move_id_sequences(s)


def move_id_sequences(s) -> None:
    """On PostgreSQL, move the id sequences of the copied tables past the ids the copies took (in s)."""
    if s.bind.dialect.name != "postgresql":
        return
    for model in (ProcessInstance, Complaint, Timer, AuditEvent):
        name = model.__tablename__
        s.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {name}))")
        )
