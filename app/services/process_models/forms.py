"""JSON Schema forms: check a schema, validate submitted data, name every failing field."""

from __future__ import annotations

import contextlib
import contextvars
import time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Mapping

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import SchemaError, ValidationError
from referencing import Registry
from referencing.exceptions import Unresolvable

from ...errors import Invalid
from .form_errors import coded
from .form_safety import MAX_DATA_DEPTH, UnsafeSchema, check_depth, check_schema_bounds, parse_json, regex

_FORMATS = FormatChecker()
# A registry that retrieves nothing: a $ref outside the form is refused, never fetched (no SSRF).
_NO_RETRIEVAL = Registry()


@_FORMATS.checks("regex", raises=UnsafeSchema)
def _is_regex(instance: object) -> bool:
    return not isinstance(instance, str) or regex(instance) is not None


def schema_problems(schema_text: str | bytes) -> list[str]:
    """Return what is wrong with a form schema (empty when it is a valid, bounded JSON Schema)."""
    try:
        return _schema_problems(schema_text if isinstance(schema_text, str) else bytes(schema_text))
    except UnicodeDecodeError as exc:
        return [f"not valid JSON: {exc}"]


@lru_cache(maxsize=256)
def _schema_problems(schema_text: str | bytes) -> list[str]:
    try:
        schema = parse_json(schema_text, "the form")
    except UnsafeSchema as exc:
        return [str(exc)]
    if not isinstance(schema, dict):
        return ["a form schema must be a JSON object"]
    try:
        check_schema_bounds(schema)
        Draft202012Validator.check_schema(schema)
    except UnsafeSchema as exc:
        return [str(exc)]
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


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and regex(pattern).search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator, patterns, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        compiled = regex(pattern)
        for key, value in instance.items():
            if compiled.search(key) is not None:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator, allowed, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = [regex(p) for p in schema.get("patternProperties", {})]
    extras = [k for k in instance if k not in known and not any(p.search(k) is not None for p in patterns)]
    if validator.is_type(allowed, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif not allowed and extras:
        listed = ", ".join(repr(k) for k in sorted(extras))
        yield ValidationError(
            f"Additional properties are not allowed ({listed} {'was' if len(extras) == 1 else 'were'} unexpected)"
        )


def _canonical(value: Any) -> Any:
    """A hashable key equal for values JSON Schema calls equal (1 == 1.0, True != 1, key order ignored)."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", int(value) if isinstance(value, float) and value.is_integer() else value)
    if isinstance(value, dict):
        return ("o", frozenset((k, _canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("a", tuple(_canonical(v) for v in value))
    return ("s", value)


def _unique_items(validator, unique, instance, schema):
    # jsonschema compares unhashable items pairwise: 10,000 objects make 50 million comparisons.
    if unique and validator.is_type(instance, "array"):
        seen: set = set()
        for item in instance:
            key = _canonical(item)
            if key in seen:
                yield ValidationError(f"{instance!r} has non-unique elements")
                return
            seen.add(key)


MAX_KEYWORD_CHECKS = 200_000  # keyword evaluations in one validation; real forms use a few hundred
MAX_VALIDATION_SECONDS = 1.0


class _Work:
    """What one validation may still spend: keyword evaluations and wall clock."""

    __slots__ = ("left", "deadline")

    def __init__(self) -> None:
        self.left = MAX_KEYWORD_CHECKS
        self.deadline = time.perf_counter() + MAX_VALIDATION_SECONDS


_work: contextvars.ContextVar[_Work | None] = contextvars.ContextVar("form_validation_work", default=None)


def _too_much(what: str) -> Invalid:
    message = f"checking the data against the form needs too much work ({what}); the form must be simplified"
    return Invalid(message, [{"field": "", "message": message, "code": "form.too_much_work"}])


def _counted(keyword):
    """Charge every keyword evaluation to the current validation's budget.

    A schema can multiply its own work without any loop: allOf: [$ref a1, $ref a1] where a1 does the
    same with a2, and so on, checks the data 2^n times. No deploy-time rule catches every such
    shape, so validation itself is bounded.
    """

    def counted(validator, value, instance, schema):
        work = _work.get()
        if work is not None:
            work.left -= 1
            if work.left <= 0:
                raise _too_much(f"more than {MAX_KEYWORD_CHECKS} checks")
            if not work.left & 1023 and time.perf_counter() > work.deadline:
                raise _too_much(f"more than {MAX_VALIDATION_SECONDS:g} s")
        return keyword(validator, value, instance, schema)

    return counted


@contextlib.contextmanager
def bounded_validation():
    """Within the block, a form validation stops with a 422 once it passes its budget."""
    token = _work.set(_Work())
    try:
        yield
    finally:
        _work.reset(token)


_KEYWORDS = {
    **Draft202012Validator.VALIDATORS,
    "multipleOf": _multiple_of,
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "uniqueItems": _unique_items,
}
FormValidator = validators.extend(Draft202012Validator, {k: _counted(f) for k, f in _KEYWORDS.items()})


def form_validator(schema_text: str, format_checker: FormatChecker | None = None) -> Draft202012Validator:
    """The validator of a form: linear-time patterns, references only inside the form; Invalid if unsafe."""
    problems = schema_problems(schema_text)
    if problems:
        raise Invalid(
            "the form cannot be applied: " + problems[0],
            [{"field": "", "message": p, "code": "form.unusable"} for p in problems],
        )
    return FormValidator(parse_json(schema_text), format_checker=format_checker or _FORMATS, registry=_NO_RETRIEVAL)


@lru_cache(maxsize=256)
def _validator(schema_text: str) -> Draft202012Validator:
    return form_validator(schema_text)


def check_data_depth(data: Any) -> None:
    """Refuse submitted data nested deeper than task data may be (Invalid naming the limit)."""
    try:
        check_depth(data, MAX_DATA_DEPTH, "the submitted data")
    except UnsafeSchema as exc:
        raise Invalid(
            str(exc), [{"field": "", "message": str(exc), "code": "form.too_deep", "params": {"n": MAX_DATA_DEPTH}}]
        ) from None


def field_errors(schema_text: str | None, data: Any) -> list[dict[str, str]]:
    """Validate data against a form; return [{field, message}] for every failure."""
    if not isinstance(data, Mapping):
        return [{"field": "", "message": "the data must be a JSON object", "code": "instance.bad_data"}]
    if not schema_text:
        return []  # a user task without a form accepts any object
    check_data_depth(data)
    try:
        with bounded_validation():
            found = list(_validator(schema_text).iter_errors(dict(data)))
    except (Unresolvable, RecursionError) as exc:  # a form deployed before these checks existed
        raise Invalid(
            "the form cannot be applied",
            [{"field": "", "message": f"the form's schema: {exc!r}"[:300], "code": "form.unusable"}],
        ) from None
    errors = []
    for err in sorted(found, key=lambda e: list(map(str, e.path))):
        path = [str(p) for p in err.path]
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else ""
            path.append(missing)
            errors.append(
                {"field": ".".join(p for p in path if p), "message": "必填 / required", "code": "field.required"}
            )
        else:
            errors.append(coded(".".join(p for p in path if p), err))
    return errors


def validate(schema_text: str | None, data: Any) -> dict[str, Any]:
    """Return data if it satisfies the form, else raise Invalid naming each failing field.

    A field the form marks readOnly (a Camunda form's readonly constraint) shows the process's
    value: what a client sends for it is dropped, never written.
    """
    if schema_text and isinstance(data, Mapping):
        fixed = _read_only(schema_text)
        if fixed:
            data = {k: v for k, v in data.items() if k not in fixed}
    errors = field_errors(schema_text, data)
    if errors:
        raise Invalid("the submitted data does not satisfy the form", errors)
    return dict(data)


@lru_cache(maxsize=256)
def _read_only(schema_text: str) -> frozenset[str]:
    try:
        schema = parse_json(schema_text)
    except ValueError:
        return frozenset()
    props = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(props, dict):
        return frozenset()
    return frozenset(k for k, v in props.items() if isinstance(v, dict) and v.get("readOnly") is True)


def load(schema_text: str | None) -> Any:
    """Parse a stored form schema (None stays None)."""
    return parse_json(schema_text) if schema_text else None
