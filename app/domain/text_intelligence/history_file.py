"""Read and check a file of historical work orders (CSV or XLSX) before anything of it is stored.

Columns are found by their header, in Chinese or English (``COLUMNS``). Every row is checked; a file
with any bad row is refused whole, with each bad row named by its line and field, so an operator fixes
the file and imports it again instead of hunting for the half that went in. Labels are the file's own:
each must be one of ours (code or Chinese name), a known synonym, or mapped by the operator; or the
file's labels are kept as its own taxonomy.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
MAX_TEXT = 2000
MAX_ROWS = 200_000

COLUMNS = {
    "text": ("text", "matter", "content", "投诉内容", "内容", "工单内容", "问题描述", "投诉事项"),
    "label": ("label", "category", "分类", "类别", "投诉类别", "投诉分类", "工单分类"),
    "channel": ("channel", "渠道", "投诉渠道", "来源"),
    "phone": ("phone", "customer_phone", "电话", "联系电话", "手机号", "号码"),
    "created_at": ("created_at", "time", "date", "时间", "受理时间", "投诉时间", "创建时间"),
    "department": ("department", "部门", "处理部门", "责任部门"),
    "outcome": ("outcome", "result", "处理结果", "结果", "办结情况"),
    "severity": ("severity", "严重程度", "级别", "等级"),
}
CATEGORIES = {
    "network": ("网络", "网络质量", "网络故障", "服务质量", "信号"),
    "billing": ("资费", "计费", "资费争议", "费用", "账单", "计费账单"),
    "product": ("产品", "业务办理", "套餐", "产品套餐", "业务"),
    "service": ("服务", "服务态度", "营业厅", "营业厅服务"),
    "aftersales": ("售后", "维修", "装维", "售后服务", "售后维修"),
}
SPECIAL_TYPES = {
    "outage": ("重大故障", "大面积故障"),
    "privacy": ("信息泄露", "个人信息泄露", "隐私"),
    "fraud": ("诈骗", "骚扰", "诈骗骚扰", "诈骗/骚扰"),
    "special_needs": ("特殊需求", "关爱", "特殊群体"),
}
CHANNELS = {
    "phone": ("电话", "热线"),
    "online": ("网上", "网络", "app", "公众号", "网站", "在线"),
    "letter": ("书面", "信函", "邮件", "电子邮件"),
    "hall": ("现场", "营业厅", "到厅"),
    "social": ("社交媒体", "微博", "微信"),
}
DEPARTMENTS = {
    "network": ("网络部",),
    "billing": ("计费部",),
    "product": ("产品部",),
    "hall": ("营业厅",),
    "aftersales": ("售后服务部", "售后"),
    "security": ("信息安全部",),
}
SEVERITIES = {"general": ("一般",), "major": ("重大",)}
PHONE = re.compile(r"^(?:(?:\+86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


def _lookup(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    out = {}
    for code, names in table.items():
        out[code] = code
        for n in names:
            out[n.lower()] = code
    return out


_CATEGORY, _SPECIAL = _lookup(CATEGORIES), _lookup(SPECIAL_TYPES)
_CHANNEL, _DEPARTMENT, _SEVERITY = _lookup(CHANNELS), _lookup(DEPARTMENTS), _lookup(SEVERITIES)


@dataclass
class CheckedFile:
    """The rows ready to store, or the errors that refuse the file."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # {row, field, message}
    labels: dict[str, int] = field(default_factory=dict)  # the file's labels and how often each occurs


class FileRefused(ValueError):
    """A file that cannot be read as a table; ``code`` names the message a page shows (err.<code>)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def read_table(name: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number as a spreadsheet shows it, {header: cell}) for every data row of a CSV or XLSX file."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
            raise FileRefused(f"not a readable XLSX workbook: {exc}", "classifier.bad_xlsx") from None
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, [])]
        for n, values in enumerate(rows, start=2):
            if values and any(v not in (None, "") for v in values):
                yield (
                    n,
                    {
                        h: ("" if v is None else (v.isoformat(sep=" ") if isinstance(v, datetime) else str(v)).strip())
                        for h, v in zip(header, values)
                    },
                )
        wb.close()
    elif lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")  # Excel in China saves CSV in GBK unless told otherwise
            except UnicodeDecodeError:
                raise FileRefused("the CSV is neither UTF-8 nor GB18030", "classifier.csv_encoding") from None
        reader = csv.DictReader(io.StringIO(text))
        for n, row in enumerate(reader, start=2):
            if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                yield n, {(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()}
    else:
        raise FileRefused("only .csv and .xlsx files are read", "upload.csv_or_xlsx")


def _columns(header: list[str]) -> dict[str, str]:
    found = {}
    lowered = {h.lower(): h for h in header}
    for key, names in COLUMNS.items():
        for n in names:
            if n.lower() in lowered:
                found[key] = lowered[n.lower()]
                break
    return found


def _time(value: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        at = None
        for fmt in TIME_FORMATS:
            try:
                at = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if at is None:
        return None
    return (at.replace(tzinfo=CHINA) if at.tzinfo is None else at).astimezone(timezone.utc)


def map_label(label: str, label_map: dict[str, str]) -> tuple[str | None, str | None]:
    """(category, special type) the label stands for; (None, None) when it is not known."""
    target = label_map.get(label, label).strip()
    key = target.lower()
    if key in _CATEGORY:
        return _CATEGORY[key], "none"
    if key in _SPECIAL:
        return None, _SPECIAL[key]
    return None, None


def check(name: str, content: bytes, label_map: dict[str, str] | None = None, taxonomy: str = "ours") -> CheckedFile:
    """Read every row and check it; the result holds either all rows or the reasons the file is refused."""
    label_map = label_map or {}
    out = CheckedFile()
    try:
        table = read_table(name, content)
        first = next(table, None)
    except FileRefused as exc:
        out.errors.append({"row": None, "field": "file", "message": str(exc), "code": exc.code})
        return out
    except ValueError as exc:  # a CSV the csv module cannot read
        out.errors.append({"row": None, "field": "file", "message": str(exc), "code": "classifier.unreadable"})
        return out
    if first is None:
        out.errors.append({"row": None, "field": "file", "message": "no data rows", "code": "classifier.no_rows"})
        return out
    cols = _columns(list(first[1]))
    for needed in ("text", "label"):
        if needed not in cols:
            out.errors.append(
                {
                    "row": 1,
                    "field": needed,
                    "message": f"no column for {needed}; name it one of: {', '.join(COLUMNS[needed])}",
                    "code": "classifier.no_column",
                    "params": {"names": "、".join(COLUMNS[needed])},
                }
            )
    if out.errors:
        return out

    def rows():
        yield first
        yield from table

    for n, raw in rows():
        if len(out.rows) + len(out.errors) >= MAX_ROWS:
            out.errors.append(
                {
                    "row": n,
                    "field": "file",
                    "message": f"more than {MAX_ROWS} rows: split the file",
                    "code": "classifier.too_many_rows",
                    "params": {"n": MAX_ROWS},
                }
            )
            break
        row, bad = _check_row(n, raw, cols, label_map, taxonomy)
        label = raw.get(cols["label"], "")
        if label:
            out.labels[label] = out.labels.get(label, 0) + 1
        if bad:
            out.errors.extend(bad)
        else:
            out.rows.append(row)
    return out


def _check_row(n: int, raw: dict[str, str], cols: dict[str, str], label_map: dict[str, str], taxonomy: str):
    errors = []

    def cell(key: str) -> str:
        return raw.get(cols[key], "") if key in cols else ""

    def err(f: str, message: str, code: str, **params: Any) -> None:
        errors.append({"row": n, "field": f, "message": message, "code": code, "params": params})

    text, label = cell("text"), cell("label")
    if not text:
        err("text", "empty", "field.required")
    elif len(text) > MAX_TEXT:
        err("text", f"longer than {MAX_TEXT} characters", "field.too_long", n=MAX_TEXT)
    if not label:
        err("label", "empty", "field.required")
    category = special = None
    if label and taxonomy == "ours":
        category, special = map_label(label, label_map)
        if category is None and special is None:
            err(
                "label",
                f"「{label}」 is not one of our categories or special types; map it or keep the file's own labels",
                "classifier.unknown_label",
                label=label,
            )
    row: dict[str, Any] = {
        "row_number": n,
        "text": text,
        "label": label[:64],
        "category": category,
        "special_type": special,
    }
    for key, table in (("channel", _CHANNEL), ("department", _DEPARTMENT), ("severity", _SEVERITY)):
        value = cell(key)
        if value:
            code = table.get(value.lower())
            if code is None:
                err(
                    key,
                    f"「{value}」 is not known; one of: {', '.join(table)}",
                    "classifier.unknown_value",
                    value=value,
                )
            row[key] = code
    phone = cell("phone").replace(" ", "")
    if phone and not PHONE.match(phone):
        err("phone", f"「{phone}」 is not a mainland mobile or landline number", "classifier.bad_phone", value=phone)
    row["customer_phone"] = phone or None
    when = cell("created_at")
    if when:
        at = _time(when)
        if at is None:
            err("created_at", f"「{when}」 is not a date or time (2026-03-02 09:30)", "classifier.bad_time", value=when)
        row["occurred_at"] = at
    row["outcome"] = cell("outcome") or None
    return row, errors
