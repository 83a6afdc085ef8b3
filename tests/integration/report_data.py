"""A small hand-counted data set for the reports: seven complaints written straight into the tables
(then the dashboard's roll-ups recounted from them, as migration 0007's backfill does).

Now is Monday 2026-03-02 09:00 Shanghai (01:00 UTC, the `clock` fixture). Times below are UTC.
The period 2026-02-23..2026-03-01 (local) holds C1..C5; C6 and C7 lie before it.

| #  | registered (local)  | phone        | category | channel | sev.   | dept.   | state                         |
| C1 | 02-23 10:00         | 13800000001  | network  | phone   | general| network | closed, satisfied, 1 handling |
| C2 | 02-24 09:00         | 13800000002  | billing  | online  | major  | billing | closed, unsatisfied, 2 handlings |
| C3 | 02-24 15:00         | 13800000001  | network  | phone   | general| network | open, handle overdue (due 02-27) |
| C4 | 02-26 11:00         | 13800000003  | service  | hall    | general| hall    | open, suspended                |
| C5 | 03-01 20:00         | 13800000004  | network  | social  | general| -       | open, classify overdue         |
| C6 | 02-10 10:00         | 13800000002  | billing  | phone   | general| billing | closed late (02-27 > due 02-25)|
| C7 | 01-01 10:00         | 13800000003  | service  | phone   | general| hall    | closed late                    |
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from app.models import Complaint, HumanTask, ProcessInstance, ProcessVersion
from app.services.reporting.rebuild import rebuild


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


COMPLAINTS = {
    # key: (created UTC, phone, category, channel, severity, department, status, closed UTC, satisfaction,
    #       suspended UTC, final reply due UTC)
    "C1": (
        "2026-02-23 02:00",
        "13800000001",
        "network",
        "phone",
        "general",
        "network",
        "closed",
        "2026-02-25 03:00",
        "satisfied",
        None,
        "2026-03-10 16:00",
    ),
    "C2": (
        "2026-02-24 01:00",
        "13800000002",
        "billing",
        "online",
        "major",
        "billing",
        "closed",
        "2026-02-26 03:00",
        "unsatisfied",
        None,
        "2026-03-11 16:00",
    ),
    "C3": (
        "2026-02-24 07:00",
        "13800000001",
        "network",
        "phone",
        "general",
        "network",
        "open",
        None,
        None,
        None,
        "2026-03-11 16:00",
    ),
    "C4": (
        "2026-02-26 03:00",
        "13800000003",
        "service",
        "hall",
        "general",
        "hall",
        "open",
        None,
        None,
        "2026-02-27 02:00",
        "2026-03-13 16:00",
    ),
    "C5": (
        "2026-03-01 12:00",
        "13800000004",
        "network",
        "social",
        "general",
        None,
        "open",
        None,
        None,
        None,
        "2026-03-16 16:00",
    ),
    "C6": (
        "2026-02-10 02:00",
        "13800000002",
        "billing",
        "phone",
        "general",
        "billing",
        "closed",
        "2026-02-27 02:00",
        None,
        None,
        "2026-02-25 16:00",
    ),
    "C7": (
        "2026-01-01 02:00",
        "13800000003",
        "service",
        "phone",
        "general",
        "hall",
        "closed",
        "2026-01-20 02:00",
        None,
        None,
        "2026-01-16 16:00",
    ),
}

# key: [(element_id, state, created, completed, due)]
TASKS = {
    "C1": [
        ("classify", "completed", "2026-02-23 02:00", "2026-02-23 02:30", "2026-02-23 03:00"),
        ("dispatch", "completed", "2026-02-23 02:30", "2026-02-23 03:00", "2026-02-23 04:30"),
        ("handle", "completed", "2026-02-23 03:00", "2026-02-24 03:00", "2026-02-26 03:00"),
        ("feedback", "completed", "2026-02-24 03:00", "2026-02-25 01:00", "2026-02-25 03:00"),
    ],
    "C2": [
        ("classify", "completed", "2026-02-24 01:00", "2026-02-24 02:30", "2026-02-24 01:30"),
        ("handle", "completed", "2026-02-24 03:00", "2026-02-24 05:00", "2026-02-27 03:00"),
        ("handle", "completed", "2026-02-24 06:00", "2026-02-25 06:00", "2026-02-27 06:00"),
    ],
    "C3": [("handle", "ready", "2026-02-24 08:00", None, "2026-02-27 08:00")],
    "C4": [("handle", "ready", "2026-02-26 04:00", None, "2026-03-01 04:00")],
    "C5": [("classify", "ready", "2026-03-01 12:00", None, "2026-03-01 13:00")],
}
NAMES = {"classify": "投诉分类", "dispatch": "投诉分发", "handle": "投诉处理", "feedback": "投诉反馈"}


def load(rt) -> dict[str, int]:
    """Write the data set; return complaint ids by key."""
    t = lambda v: utc(v) if v else None  # noqa: E731
    ids = {}
    with rt.db.write() as s:
        version = ProcessVersion(
            process_id="complaint_handling",
            version=1,
            name="投诉处理",
            bpmn_file="x.bpmn",
            files={},
            hash="0" * 64,
            note="",
            deployed_at=utc("2025-12-01 00:00"),
        )
        s.add(version)
        s.flush()
        for n, (key, c) in enumerate(COMPLAINTS.items(), 1):
            created, phone, cat, channel, sev, dept, status, closed, sat, suspended, final_due = c
            inst = ProcessInstance(
                process_version_id=version.id,
                process_id="complaint_handling",
                status="completed" if status == "closed" else "running",
                state=b"",
                version=1,
                created_at=t(created),
                updated_at=t(created),
                completed_at=t(closed),
            )
            s.add(inst)
            s.flush()
            row = Complaint(
                number=f"TS20260101{n:06d}",
                instance_id=inst.id,
                customer_name=f"客户{key}",
                customer_phone=phone,
                channel=channel,
                category=cat,
                severity=sev,
                department=dept,
                matter="…",
                status=status,
                satisfaction=sat,
                created_at=t(created),
                updated_at=t(created),
                closed_at=t(closed),
                suspended_at=t(suspended),
                final_reply_due_at=t(final_due),
            )
            s.add(row)
            for element_id, state, t_created, t_done, t_due in TASKS.get(key, []):
                s.add(
                    HumanTask(
                        id=str(uuid.uuid4()),
                        instance_id=inst.id,
                        element_id=element_id,
                        name=NAMES[element_id],
                        state=state,
                        created_at=t(t_created),
                        completed_at=t(t_done),
                        due_at=t(t_due),
                        sla_paused_at=t(suspended) if state == "ready" else None,
                    )
                )
            s.flush()
            ids[key] = row.id
        rebuild(s.connection())  # written past the services, so the dashboard's roll-ups are recounted
    return ids
