"""Render a task's JSON Schema form as HTML fields and read the submitted form back into JSON.

Widgets follow the schema and the UI schema: enums (``oneOf`` of ``const``) become a select, or
radio buttons with ``ui:widget: radio``; ``format: date``/``date-time`` date pickers (China time);
numbers, money (``ui:widget: money``), yes/no (booleans), a confirmation box (``const: true``),
long text (``ui:widget: textarea``) and file evidence (``ui:widget: file``: an array of file ids).
Validation messages are produced here in the user's language, beside each field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Mapping

from ..services.process_models.forms import FormValidator, bounded_validation, form_validator
from .i18n import user_time_zone, loc, t


@dataclass
class Field:
    name: str
    widget: str  # text textarea select radio number money date datetime yesno confirm checkbox file rating
    label: str
    help: str = ""
    required: bool = False
    options: list[dict[str, Any]] = field(default_factory=list)
    value: Any = ""
    error: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)


def _widget(node: Mapping[str, Any], ui: Mapping[str, Any]) -> str:
    wanted = ui.get("ui:widget")
    kind = node.get("type")
    if wanted == "file" or (kind == "array" and wanted is None):
        return "file"
    if "oneOf" in node or "enum" in node:
        return "radio" if wanted == "radio" else "select"
    if kind == "boolean":
        if node.get("const") is True:
            return "confirm"
        return "yesno" if wanted == "radio" else "checkbox"
    if kind in ("number", "integer"):
        if wanted == "money":
            return "money"
        lo, hi = node.get("minimum"), node.get("maximum")
        if kind == "integer" and lo is not None and hi is not None and 0 <= hi - lo <= 10:
            return "rating"
        return "number"
    if node.get("format") == "date":
        return "date"
    if node.get("format") == "date-time":
        return "datetime"
    if wanted == "textarea" or (node.get("maxLength") or 0) > 500:
        return "textarea"
    return "text"


def _options(node: Mapping[str, Any]) -> list[dict[str, Any]]:
    if "oneOf" in node:
        return [{"value": o["const"], "label": loc(o) or str(o["const"])} for o in node["oneOf"] if "const" in o]
    return [{"value": v, "label": str(v)} for v in node.get("enum", [])]


def _display(widget: str, value: Any) -> Any:
    """A JSON value as the input shows it."""
    if value is None:
        return [] if widget == "file" else ""
    if widget == "datetime" and isinstance(value, str):
        try:
            return (
                datetime.fromisoformat(value.replace("Z", "+00:00"))
                .astimezone(user_time_zone())
                .strftime("%Y-%m-%dT%H:%M")
            )
        except ValueError:
            return value
    if widget in ("yesno", "checkbox", "confirm") and isinstance(value, bool):
        return "true" if value else "false"
    return value


def ordered_names(schema: Mapping[str, Any], ui: Mapping[str, Any] | None) -> list[str]:
    props = list(schema.get("properties", {}))
    order = [n for n in (ui or {}).get("ui:order", []) if n in props]
    return order + [n for n in props if n not in order]


def build_fields(
    schema: Mapping[str, Any] | None,
    ui: Mapping[str, Any] | None,
    data: Mapping[str, Any] | None,
    errors: Mapping[str, str] | None = None,
    raw: Mapping[str, Any] | None = None,
) -> list[Field]:
    """The form's fields in UI order, filled from raw input (after a failed submit) or the task's data."""
    if not schema:
        return []
    ui = ui or {}
    required = set(schema.get("required", []))
    out = []
    for name in ordered_names(schema, ui):
        node = schema["properties"][name]
        node_ui = ui.get(name, {}) if isinstance(ui.get(name), dict) else {}
        widget = _widget(node, node_ui)
        if raw is not None and widget != "file":
            value = raw.get(name, "")
        else:
            # a Camunda form's defaultValue fills the field until the process holds a value
            given = (data or {}).get(name)
            value = _display(widget, node.get("default") if given is None else given)
        attrs: dict[str, Any] = {"readonly": True} if node.get("readOnly") is True else {}
        if widget in ("text", "textarea") and node.get("maxLength"):
            attrs["maxlength"] = node["maxLength"]
        if widget in ("number", "money", "rating"):
            for key in ("minimum", "maximum"):
                if key in node:
                    attrs[key[:3]] = node[key]
            attrs["step"] = "1" if node.get("type") == "integer" else ("0.01" if widget == "money" else "any")
        options = _options(node)
        if widget == "rating":
            options = [
                {"value": str(v), "label": str(v)} for v in range(int(node["minimum"]), int(node["maximum"]) + 1)
            ]
            value = str(value) if value not in ("", None) else ""
        out.append(
            Field(
                name=name,
                widget=widget,
                label=loc(node) or name,
                help=loc(node, "description"),
                required=name in required,
                options=options,
                value=value,
                error=(errors or {}).get(name, ""),
                attrs=attrs,
            )
        )
    return out


# -- reading the submitted form -----------------------------------------------------------------
def _number(text: str, integer: bool) -> Any:
    try:
        d = Decimal(text.replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        return text  # left as typed: the validator names it
    if not d.is_finite():
        return text
    if integer or d == d.to_integral_value():
        return int(d) if d == d.to_integral_value() else text
    return float(d)


def _datetime(text: str) -> str:
    """A datetime-local value (China time) as RFC 3339 with its offset."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return text
    if at.tzinfo is None:
        at = at.replace(tzinfo=user_time_zone())
    return at.isoformat(timespec="seconds")


def parse_submission(
    schema: Mapping[str, Any] | None, ui: Mapping[str, Any] | None, form, files: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    """Turn the posted form into task data: empty fields are left out, types follow the schema."""
    if not schema:
        return {}
    ui = ui or {}
    data: dict[str, Any] = {}
    for name in ordered_names(schema, ui):
        node = schema["properties"][name]
        node_ui = ui.get(name, {}) if isinstance(ui.get(name), dict) else {}
        widget = _widget(node, node_ui)
        if widget == "file":
            ids = [v for v in form.getlist(name) if v] + list((files or {}).get(name, []))
            if ids:
                data[name] = ids
            continue
        text = (form.get(name) or "").strip()
        if widget in ("checkbox", "confirm"):
            if text in ("true", "on", "1"):
                data[name] = True
            elif widget == "checkbox" and f"{name}__present" in form:
                data[name] = False
            continue
        if text == "":
            continue
        if widget == "yesno":
            data[name] = {"true": True, "false": False}.get(text, text)
        elif widget in ("number", "money", "rating"):
            data[name] = _number(text, node.get("type") == "integer")
        elif widget == "datetime":
            data[name] = _datetime(text)
        else:
            data[name] = form.get(name).replace("\r\n", "\n").strip()
    return data


# -- validation messages in the user's language ----------------------------------------------------
@lru_cache(maxsize=64)
def _validator(schema_text: str) -> FormValidator:
    return form_validator(schema_text)


def _message(err, node: Mapping[str, Any]) -> str:
    kind = err.validator
    if kind == "required":
        return t("form.err.confirm") if node.get("const") is True else t("form.err.required")
    if kind == "const" and err.validator_value is True:
        return t("form.err.confirm")
    if kind in ("oneOf", "enum", "const"):
        return t("form.err.choice")
    if kind == "type":
        return t("form.err.number") if err.validator_value in ("number", "integer") else t("form.err.type")
    if kind == "minLength":
        return t("form.err.required") if err.validator_value <= 1 else t("form.err.min_length", n=err.validator_value)
    if kind == "maxLength":
        return t("form.err.max_length", n=err.validator_value)
    if kind == "minimum":
        return t("form.err.minimum", n=err.validator_value)
    if kind == "maximum":
        return t("form.err.maximum", n=err.validator_value)
    if kind == "multipleOf":
        return t("form.err.cents") if err.validator_value == 0.01 else t("form.err.multiple", n=err.validator_value)
    if kind == "pattern":
        return t("form.err.pattern") + (f"（{loc(node, 'description')}）" if loc(node, "description") else "")
    if kind == "format":
        return t("form.err.date") if err.validator_value in ("date", "date-time") else t("form.err.type")
    if kind == "additionalProperties":
        return t("form.err.unknown")
    # anyOf, not, if/then, minItems...: jsonschema's English is never shown, the keyword's sentence is
    return t("err.form.invalid")


def field_errors(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> dict[str, str]:
    """{field: message} for the first failure of each field (the form's top-level fields)."""
    if not schema:
        return {}
    out: dict[str, str] = {}
    props = schema.get("properties", {})
    with bounded_validation():
        found = list(_validator(json.dumps(schema, sort_keys=True)).iter_errors(dict(data)))
    for err in found:
        path = [str(p) for p in err.absolute_path]
        if err.validator == "required" and not path:
            name = err.message.split("'")[1] if "'" in err.message else ""
        else:
            name = path[0] if path else ""
        if name and name not in out:
            out[name] = _message(err, props.get(name, {}))
        elif not name:
            out.setdefault("", _message(err, {}))
    return out
