"""Export a search's result as CSV or Excel, streamed, with Chinese headers and labels.

CSV is written row by row (UTF-8 with a BOM so Excel opens the Chinese correctly). Excel is
written by openpyxl's write-only workbook (constant memory) into a spooled temporary file and
then streamed in chunks. Each export is recorded in the access log before the first byte goes out.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select

from ...domain.clock import OPERATOR_ZONE
from ...domain.spreadsheet import neutralise
from ...models import User
from datetime import datetime
from ..audit import trail
from ..runtime import Runtime
from .search import InstanceQuery, iter_rows, require_auditor
from ...domain.actors import Viewer

# (row key, Chinese header, how to show the value)
COLUMNS = (
    ("number", "投诉编号", None),
    ("process_instance_id", "流程实例", None),
    ("customer_name", "客户姓名", None),
    ("customer_phone_masked", "联系电话（脱敏）", None),
    ("channel", "受理渠道", "channel"),
    ("category", "投诉分类", "category"),
    ("severity", "严重程度", "severity"),
    ("department", "处理部门", "department"),
    ("status", "状态", "status"),
    ("current_step", "当前环节", None),
    ("sla_state", "时限状态", "sla_state"),
    ("satisfaction", "满意度", "satisfaction"),
    ("created_at", "受理时间", "time"),
    ("closed_at", "办结时间", "time"),
    ("process_version", "流程版本", None),
    ("account_masked", "业务号码（脱敏）", None),
    ("demand", "客户诉求", None),
    ("amount", "涉及金额（元）", None),
    ("owner_id", "首问责任人", "owner"),
    ("responsibility", "责任归属", "responsibility"),
    ("compensation_type", "补偿方式", "compensation_type"),
    ("compensation_amount", "补偿金额（元）", None),
    ("promised_at", "承诺解决日期", "time"),
    ("promise_kept", "承诺兑现", "promise"),
)
FORMS = {
    "channel": ("receive-schema.json", "channel"),
    "category": ("classify-schema.json", "category"),
    "severity": ("classify-schema.json", "severity"),
    "department": ("dispatch-schema.json", "department"),
    "satisfaction": ("feedback-schema.json", "satisfaction"),
    "responsibility": ("handle-schema.json", "responsibility"),
    "compensation_type": ("handle-schema.json", "compensation_type"),
}
FIXED = {
    "promise": {True: "已兑现", False: "未兑现"},
    "status": {"open": "处理中", "closed": "已办结"},
    "sla_state": {
        "on_time": "正常",
        "warning": "预警",
        "breached": "超时",
        "paused": "挂起",
        "met": "按时答复",
        "none": "无时限",
    },
}
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@lru_cache(maxsize=16)
def _form_labels(forms_dir: str, form: str, field: str) -> dict[str, str]:
    path = Path(forms_dir) / form
    if not path.exists():
        return {}
    node = json.loads(path.read_text(encoding="utf-8")).get("properties", {}).get(field, {})
    # "网络质量（信号、通话、宽带速率）" -> "网络质量": the short name reads better in a cell
    return {o["const"]: o.get("title", o["const"]).split("（")[0] for o in node.get("oneOf", []) if "const" in o}


def labeller(rt: Runtime):
    """A function (kind, value) -> the Chinese label of a coded value."""
    forms_dir = str(rt.forms_dir)
    owners: dict[int, str] = {}

    def label(kind: str | None, value: Any) -> Any:
        if value in (None, ""):
            return ""
        if kind == "owner":
            if value not in owners:
                with rt.db.read() as s:
                    owners[value] = s.scalar(select(User.display_name).where(User.id == value)) or value
            return owners.get(value, value)
        if kind == "time":
            return datetime.fromisoformat(value).astimezone(OPERATOR_ZONE).strftime("%Y-%m-%d %H:%M")
        if kind in FIXED:
            return FIXED[kind].get(value, value)
        if kind in FORMS:
            return _form_labels(forms_dir, *FORMS[kind]).get(value, value)
        return value

    return label


def _cells(rt: Runtime, rows: Iterator[dict[str, Any]]) -> Iterator[list[Any]]:
    label = labeller(rt)
    for row in rows:  # every cell neutralised: a customer's own words reach here from the public page
        yield [neutralise(label(kind, row.get(key))) for key, _, kind in COLUMNS]


def export(rt: Runtime, viewer: Viewer, q: InstanceQuery, fmt: str, via: str) -> Iterator[bytes]:
    """Record the export, then return the file's bytes as an iterator (CSV or xlsx)."""
    require_auditor(viewer)
    if fmt not in MEDIA:
        from ...errors import Invalid

        raise Invalid("bad format", [{"field": "format", "message": "csv or xlsx", "code": "export.bad_format"}])
    trail.record_access(rt, viewer, "search.exported", via, detail={"format": fmt, "filters": q.params()})
    rows = _cells(rt, iter_rows(rt, viewer, q))
    return _csv(rows) if fmt == "csv" else _xlsx(rows)


def _csv(rows: Iterator[list[Any]]) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([h for _, h, _ in COLUMNS])
    yield "\ufeff".encode("utf-8") + buf.getvalue().encode("utf-8")
    for cells in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow(cells)
        yield buf.getvalue().encode("utf-8")


def _xlsx(rows: Iterator[list[Any]]) -> Iterator[bytes]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("投诉")
    ws.append([h for _, h, _ in COLUMNS])
    for cells in rows:
        ws.append(cells)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        wb.save(out)
        out.seek(0)
        while chunk := out.read(64 * 1024):
            yield chunk
