"""A form validation failure as a field error with a message code: jsonschema's English said by its keyword.

jsonschema words its errors in English ("'abc' is too long"), which a Chinese page must not quote. Each
failure is named instead by the keyword that failed (``maxLength``) and that keyword's value (the limit),
and the pages say ``err.form.max_length`` with ``{n}`` in the reader's language. jsonschema's own sentence
stays in ``message`` for the API and the logs.
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError

# keyword -> message code; the keyword's value is the parameter ``n`` where it is a number
BY_KEYWORD = {
    "enum": "form.enum",
    "const": "form.enum",
    "minLength": "form.min_length",
    "maxLength": "form.max_length",
    "minimum": "form.minimum",
    "maximum": "form.maximum",
    "exclusiveMinimum": "form.exclusive_minimum",
    "exclusiveMaximum": "form.exclusive_maximum",
    "multipleOf": "form.multiple_of",
    "pattern": "form.pattern",
    "minItems": "form.min_items",
    "maxItems": "form.max_items",
    "uniqueItems": "form.unique_items",
    "additionalProperties": "form.unknown_field",
    "unevaluatedProperties": "form.unknown_field",
}
# the JSON type a value should have had, in words
BY_TYPE = {
    "string": "form.type.string",
    "integer": "form.type.integer",
    "number": "form.type.number",
    "boolean": "form.type.boolean",
    "array": "form.type.array",
    "object": "form.type.object",
    "null": "form.type.null",
}
BY_FORMAT = {
    "date": "form.format.date",
    "date-time": "form.format.date_time",
    "time": "form.format.time",
    "email": "form.format.email",
    "uri": "form.format.uri",
}
OTHER = "form.invalid"  # anyOf, oneOf, not, if/then...: "does not match what the form asks for"
CODES = (*BY_KEYWORD.values(), *BY_TYPE.values(), *BY_FORMAT.values(), "form.format", OTHER)


def coded(field: str, err: ValidationError) -> dict[str, Any]:
    """``{"field", "message", "code", "params"}`` for one jsonschema failure (``required`` is said elsewhere)."""
    keyword, value = str(err.validator), err.validator_value
    params: dict[str, Any] = {}
    if keyword == "type":
        first = value[0] if isinstance(value, list) and value else value
        code = BY_TYPE.get(str(first), OTHER)
    elif keyword == "format":
        code = BY_FORMAT.get(str(value), "form.format")
    else:
        code = BY_KEYWORD.get(keyword, OTHER)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            params["n"] = f"{value:g}"
    return {"field": field, "message": err.message, "code": code, "params": params}
