"""Complaints written straight into the tables for the improvement actions' evaluation, with their hand count
(the roll-ups recounted from them, as report_data.py does).

The action below starts on Monday 2026-03-02 and is done on Thursday 2026-03-05, window 7 days:
before = 02-23..03-01, after = 03-06..03-12 (local days).

| registered (local) | category | satisfaction          | counts in      |
| 02-22 10:00        | network  | satisfied             | neither (early)|
| 02-23 10:00        | network  | satisfied             | before         |
| 02-25 15:00        | network  | unsatisfied           | before         |
| 02-28 09:00        | network  | basically_satisfied   | before         |
| 03-01 23:30        | network  | none (open)           | before         |
| 02-26 11:00        | billing  | satisfied             | neither (other category) |
| 03-03 10:00        | network  | satisfied             | neither (during the action) |
| 03-06 00:10        | network  | satisfied             | after          |
| 03-12 18:00        | network  | unsatisfied           | after          |
| 03-13 08:00        | network  | satisfied             | neither (late) |

Hand count: before 4 registered, 3 answered, 2 satisfied or basically satisfied (66.67 %);
after 2 registered, 2 answered, 1 satisfied (50 %).
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.models import Complaint, ProcessInstance, ProcessVersion
from app.services.reporting.rebuild import rebuild

LOCAL = ZoneInfo("Asia/Shanghai")
ROWS = (
    ("2026-02-22 10:00", "network", "satisfied"),
    ("2026-02-23 10:00", "network", "satisfied"),
    ("2026-02-25 15:00", "network", "unsatisfied"),
    ("2026-02-28 09:00", "network", "basically_satisfied"),
    ("2026-03-01 23:30", "network", None),
    ("2026-02-26 11:00", "billing", "satisfied"),
    ("2026-03-03 10:00", "network", "satisfied"),
    ("2026-03-06 00:10", "network", "satisfied"),
    ("2026-03-12 18:00", "network", "unsatisfied"),
    ("2026-03-13 08:00", "network", "satisfied"),
)
BEFORE = {"registered": 4, "answered": 3, "satisfied": 2, "satisfaction_rate": 0.6667}
AFTER = {"registered": 2, "answered": 2, "satisfied": 1, "satisfaction_rate": 0.5}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL).astimezone(timezone.utc)


def load(rt, rows=ROWS, phone_base: int = 13900000000) -> list[str]:
    """Write the complaints (numbers returned in order) and recount the roll-ups."""
    numbers = []
    with rt.db.write() as s:
        # a deployed complaint process (the browser tests' server has one), else a stand-in version
        version = s.scalar(select(ProcessVersion).where(ProcessVersion.process_id == "complaint_handling").limit(1))
        version = version or ProcessVersion(
            process_id="complaint_handling",
            version=1,
            name="投诉处理",
            bpmn_file="x.bpmn",
            files={},
            hash="0" * 64,
            note="",
            deployed_at=local("2025-12-01 00:00"),
        )
        s.add(version)
        s.flush()
        for n, (at, category, satisfaction) in enumerate(rows, 1):
            closed = satisfaction is not None
            inst = ProcessInstance(
                process_version_id=version.id,
                process_id="complaint_handling",
                status="completed" if closed else "running",
                state=b"",
                version=1,
                created_at=local(at),
                updated_at=local(at),
                completed_at=local(at) if closed else None,
            )
            s.add(inst)
            s.flush()
            number = f"TS20260301{n:06d}"
            s.add(
                Complaint(
                    number=number,
                    instance_id=inst.id,
                    customer_name=f"客户{n}",
                    customer_phone=str(phone_base + n),
                    channel="phone",
                    category=category,
                    severity="general",
                    department=category,
                    matter="…",
                    status="closed" if closed else "open",
                    satisfaction=satisfaction,
                    created_at=local(at),
                    updated_at=local(at),
                    closed_at=local(at) if closed else None,
                )
            )
            numbers.append(number)
        s.flush()
        rebuild(s.connection())
    return numbers
