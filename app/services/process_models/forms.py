"""JSON Schema forms: check a schema, validate submitted data, name every failing field."""
from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Any, Mapping

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import SchemaError, ValidationError

from ...errors import Invalid

_FORMATS = FormatChecker()


def schema_problems(schema_text: str | bytes) -> list[str]:
    """Return what is wrong with a form schema (empty when it is a valid JSON Schema)."""
    try:
        schema = json.loads(schema_text)
    except (ValueError, UnicodeDecodeError) as exc:
        return [f"not valid JSON: {exc}"]
    if not isinstance(schema, dict):
        return ["a form schema must be a JSON object"]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [f"not a valid JSON Schema: {exc.message} (at {'/'.join(map(str, exc.path)) or 'the root'})"]
    return []


def _multiple_of(validator, step, instance, schema):
    """multipleOf in decimal arithmetic: with binary floats 19.99 is not a multiple of 0.01."""
    if not validator.is_type(instance, "number") or isinstance(instance, bool):
        return
    quotient = Decimal(str(instance)) / Decimal(str(step))
    if quotient != quotient.to_integral_value():
        yield ValidationError(f"{instance!r} is not a multiple of {step}")


FormValidator = validators.extend(Draft202012Validator, {"multipleOf": _multiple_of})


@lru_cache(maxsize=256)
def _validator(schema_text: str) -> Draft202012Validator:
    return FormValidator(json.loads(schema_text), format_checker=_FORMATS)


def field_errors(schema_text: str | None, data: Any) -> list[dict[str, str]]:
    """Validate data against a form; return [{field, message}] for every failure."""
    if not isinstance(data, Mapping):
        return [{"field": "", "message": "the data must be a JSON object"}]
    if not schema_text:
        return []  # a user task without a form accepts any object
    errors = []
    for err in sorted(_validator(schema_text).iter_errors(dict(data)), key=lambda e: list(map(str, e.path))):
        path = [str(p) for p in err.path]
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else ""
            path.append(missing)
            message = "必填 / required"
        else:
            message = err.message
        errors.append({"field": ".".join(p for p in path if p), "message": message})
    return errors


def validate(schema_text: str | None, data: Any) -> dict[str, Any]:
    """Return data if it satisfies the form, else raise Invalid naming each failing field."""
    errors = field_errors(schema_text, data)
    if errors:
        raise Invalid("the submitted data does not satisfy the form", errors)
    return dict(data)


def load(schema_text: str | None) -> Any:
    """Parse a stored form schema (None stays None)."""
    return json.loads(schema_text) if schema_text else None
