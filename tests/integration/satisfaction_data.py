"""A hand-counted data set for the satisfaction analysis: twelve complaints written straight into the tables.

Now is Monday 2026-03-02 09:00 Shanghai (the `clock` fixture). K1..K11 are registered on 2026-02-02 10:00 local
(02:00 UTC), K12 a month before the period. H: hours from registration to the reply; B: steps past their due
time (finished late or still open late); T: 转派 + 退单 (counted on the complaint row); R: reopenings.

| #   | channel | dept    | answer              | H   | B | T | R | ratings (time, attitude, result, process) |
| K1  | phone   | network | satisfied           | 10  | 0 | 0 | 0 | 5 5 5 5 |
| K2  | phone   | network | satisfied           | 20  | 0 | 0 | 0 | 5 4 5 5 |
| K3  | phone   | network | satisfied           | 30  | 0 | 0 | 0 | 4 5 4 4 |
| K4  | phone   | billing | satisfied           | 50  | 0 | 1 | 0 | 4 4 4 4 |
| K5  | phone   | billing | basically_satisfied | 60  | 1 | 0 | 0 | 3 4 3 3 |
| K6  | online  | billing | basically_satisfied | 80  | 1 | 1 | 0 | -       |
| K7  | online  | network | basically_satisfied | 100 | 0 | 0 | 1 | 3 3 3 3 |
| K8  | online  | billing | unsatisfied         | 200 | 2 | 2 | 1 | 1 2 1 1 |
| K9  | online  | network | unsatisfied         | 400 | 1 | 0 | 2 | 2 2 1 1 |
| K10 | online  | billing | unsatisfied         | 500 | 3 | 1 | 1 | 1 1 1 2 |
| K11 | phone   | network | (open, no answer)   |     |   |   |   |         |
| K12 | phone   | network | satisfied, 2026-01  | 5   | 0 | 0 | 0 | 5 5 5 5 |
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.models import Complaint, HumanTask, ProcessInstance, ProcessVersion

REGISTERED = datetime(2026, 2, 2, 2, 0, tzinfo=timezone.utc)
ROWS = {
    "K1": ("phone", "network", "satisfied", 10, 0, 0, 0, (5, 5, 5, 5)),
    "K2": ("phone", "network", "satisfied", 20, 0, 0, 0, (5, 4, 5, 5)),
    "K3": ("phone", "network", "satisfied", 30, 0, 0, 0, (4, 5, 4, 4)),
    "K4": ("phone", "billing", "satisfied", 50, 0, 1, 0, (4, 4, 4, 4)),
    "K5": ("phone", "billing", "basically_satisfied", 60, 1, 0, 0, (3, 4, 3, 3)),
    "K6": ("online", "billing", "basically_satisfied", 80, 1, 1, 0, None),
    "K7": ("online", "network", "basically_satisfied", 100, 0, 0, 1, (3, 3, 3, 3)),
    "K8": ("online", "billing", "unsatisfied", 200, 2, 2, 1, (1, 2, 1, 1)),
    "K9": ("online", "network", "unsatisfied", 400, 1, 0, 2, (2, 2, 1, 1)),
    "K10": ("online", "billing", "unsatisfied", 500, 3, 1, 1, (1, 1, 1, 2)),
    "K11": ("phone", "network", None, None, 0, 0, 0, None),
    "K12": ("phone", "network", "satisfied", 5, 0, 0, 0, (5, 5, 5, 5)),
}


def load(rt, owner_id: int | None = None) -> dict[str, int]:
    """Write the data set; return complaint ids by key. Every complaint is owned by ``owner_id``."""
    ids = {}
    with rt.db.write() as s:
        version = s.scalars(select(ProcessVersion).where(ProcessVersion.process_id == "complaint_handling")).first()
        if version is None:  # an empty database (a deployed one has the real diagram's versions)
            version = ProcessVersion(
                process_id="complaint_handling",
                version=1,
                name="投诉处理",
                bpmn_file="x.bpmn",
                files={},
                hash="0" * 64,
                note="",
                deployed_at=REGISTERED - timedelta(days=90),
            )
            s.add(version)
        s.flush()
        for n, (key, (channel, dept, answer, hours, late, transfers, reopens, ratings)) in enumerate(ROWS.items(), 1):
            created = REGISTERED - timedelta(days=32) if key == "K12" else REGISTERED
            replied = created + timedelta(hours=hours) if hours is not None else None
            inst = ProcessInstance(
                process_version_id=version.id,
                process_id="complaint_handling",
                status="completed" if answer else "running",
                state=b"",
                version=1,
                created_at=created,
                updated_at=created,
            )
            s.add(inst)
            s.flush()
            t, a, r, p = ratings or (None, None, None, None)
            row = Complaint(
                number=f"TS20260202{n:06d}",
                instance_id=inst.id,
                customer_name=f"客户{key}",
                customer_phone=f"1390000{n:04d}",
                channel=channel,
                category=dept,
                severity="general",
                department=dept,
                matter="…",
                status="closed" if answer else "open",
                satisfaction=answer,
                reopen_count=reopens,
                transfer_count=min(transfers, 1),
                return_count=transfers - min(transfers, 1),  # K8: one of each
                owner_id=owner_id,
                created_at=created,
                updated_at=created,
                replied_at=replied,
                closed_at=replied + timedelta(hours=1) if replied else None,
                rating_timeliness=t,
                rating_attitude=a,
                rating_result=r,
                rating_process=p,
            )
            s.add(row)
            # one step on time for everybody (never counted), then the late ones: K10's third is still open
            tasks = [("classify", "completed", created, created + timedelta(minutes=20), created + timedelta(hours=1))]
            for i in range(late):
                still_open = key == "K10" and i == 2
                due = created + timedelta(hours=2 + i)
                tasks.append(
                    (
                        "handle",
                        "ready" if still_open else "completed",
                        created,
                        None if still_open else due + timedelta(hours=1),
                        due,
                    )
                )
            tasks.append(("track", "completed", created, created + timedelta(days=30), None))  # no due time: never late
            for element_id, state, t_created, t_done, t_due in tasks:
                s.add(
                    HumanTask(
                        id=str(uuid.uuid4()),
                        instance_id=inst.id,
                        element_id=element_id,
                        name=element_id,
                        state=state,
                        created_at=t_created,
                        completed_at=t_done,
                        due_at=t_due,
                    )
                )
            s.flush()
            ids[key] = row.id
    return ids
