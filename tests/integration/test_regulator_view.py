"""The regulator's view against a hand count: the seven complaints of report_data.py plus one never classified.

Quarters 2025-Q4..2026-Q1. 2025-Q4 has no complaint; 2026-Q1 has C1..C7 and C8 (registered 02-28, no category,
no reply due yet). Subscribers: 2025-Q4 12,500,000 (default), 2026-Q1 12,600,000 (config/reporting.toml).

| column          | 2025-Q4 | 2026-Q1                                                      |
| complaints      | 0       | 8                                                            |
| per million     | 0.00    | 8 / 12.6 = 0.63                                              |
| 服务 service     | 0.00    | C4, C7: 2 / 12.6 = 0.16                                      |
| 资费 tariff      | 0.00    | C2, C6: 2 / 12.6 = 0.16                                      |
| 网络 network     | 0.00    | C1, C3, C5: 3 / 12.6 = 0.24                                  |
| 营销 marketing   | 0.00    | 0.00                                                         |
| 其他 other       | 0.00    | C8: 1 / 12.6 = 0.08                                          |
| 15 日内答复率     | —       | in time C1, C2; late C6, C7; C3-C5, C8 not yet due: 50.0% (2/4) |
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.models import Complaint, ProcessInstance, ProcessVersion
from app.services.reporting import regulator
from app.domain.actors import Viewer

from . import report_data
from .web_client import Web

MANAGER = Viewer(1, "manager", frozenset({"manager"}))


@pytest.fixture
def data(rt):
    ids = report_data.load(rt)
    with rt.db.write() as s:
        version = s.query(ProcessVersion).first()
        inst = ProcessInstance(
            process_version_id=version.id,
            process_id="complaint_handling",
            status="running",
            state=b"",
            version=1,
            created_at=report_data.utc("2026-02-28 02:00"),
            updated_at=report_data.utc("2026-02-28 02:00"),
        )
        s.add(inst)
        s.flush()
        s.add(
            Complaint(
                number="TS20260101000008",
                instance_id=inst.id,
                customer_name="客户C8",
                customer_phone="13800000008",
                channel="phone",
                category=None,
                severity="general",
                matter="…",
                status="open",
                created_at=inst.created_at,
                updated_at=inst.created_at,
            )
        )
    return ids


def test_every_quarter_has_the_same_columns_including_other(rt, data):
    view = regulator.regulator_view(rt, MANAGER, "2025-Q4", "2026-Q1")
    assert [c["code"] for c in view["categories"]] == ["service", "tariff", "network", "marketing", "other"]
    q4, q1 = view["quarters"]
    assert (
        [c["code"] for c in q4["by_category"]]
        == [c["code"] for c in q1["by_category"]]
        == [c["code"] for c in view["categories"]]
    )
    assert (q4["total"], q4["per_million"], q4["reply_share"]) == (0, 0.0, None)
    assert (q1["total"], q1["per_million"]) == (8, 0.63)
    assert {c["code"]: (c["count"], c["per_million"]) for c in q1["by_category"]} == {
        "service": (2, 0.16),
        "tariff": (2, 0.16),
        "network": (3, 0.24),
        "marketing": (0, 0.0),
        "other": (1, 0.08),
    }
    assert (q1["in_time"], q1["late"], q1["reply_share"]) == (2, 2, 0.5)


def test_without_unclassified_complaints_there_is_no_other_column(rt):
    report_data.load(rt)
    view = regulator.regulator_view(rt, MANAGER, "2025-Q4", "2026-Q1")
    assert [c["code"] for c in view["categories"]] == ["service", "tariff", "network", "marketing"]


class _Table(HTMLParser):
    """The regulator table's header cells and each body row's cells, as text."""

    def __init__(self):
        super().__init__()
        self.inside, self.head, self.rows, self.cell = False, [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("data-testid", "regulator") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("th", "td") and self.cell is not None:
            (self.head if tag == "th" else self.rows[-1]).append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_page_lines_every_cell_up_with_its_header(app, rt, demo_users, data):
    table = _Table()
    table.feed(Web(app).login("manager").text("/reports/regulator?from=2025-Q4&to=2026-Q1"))
    rows = [r for r in table.rows if r]
    assert table.head == [
        "季度",
        "用户数",
        "投诉量",
        "百万用户投诉量",
        "服务",
        "资费",
        "网络",
        "营销",
        "其他",
        "15 日内答复率",
    ]
    assert [len(r) for r in rows] == [len(table.head)] * 2
    q1 = dict(zip(table.head, rows[1]))
    assert q1 == {
        "季度": "2026-Q1",
        "用户数": "12,600,000",
        "投诉量": "8",
        "百万用户投诉量": "0.63",
        "服务": "0.16",
        "资费": "0.16",
        "网络": "0.24",
        "营销": "0.00",
        "其他": "0.08",
        "15 日内答复率": "50.0% (2/4)",
    }
    assert dict(zip(table.head, rows[0]))["15 日内答复率"] == "— (0/0)"
