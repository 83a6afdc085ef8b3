"""Deploy-time checks of a diagram's expressions and scripts."""

from __future__ import annotations

from collections.abc import Iterable

from .compiler import compile_program
from .limits import Limits, SandboxViolation
from .offered import BUILTINS


UNDECLARED = "is not defined: not a task data field, an offered function or assigned here"


def check_expression(source, mode: str = "eval", allowed_names: Iterable[str] = ()) -> list[str]:
    """Return the problems of an expression ("eval") or script ("exec"); empty when it is fine.

    >>> check_expression('severity == "major" and rework < 2', allowed_names={"severity"})
    ["name 'rework' is not defined: not a task data field, an offered function or assigned here"]
    """
    if mode not in ("eval", "exec"):
        return [f"unknown mode {mode!r}: use 'eval' or 'exec'"]
    if not isinstance(source, str) or not source.strip():
        return [
            "the expression is empty"
            if isinstance(source, str) or source is None
            else f"the expression must be text, not {type(source).__name__}"
        ]
    try:
        program = compile_program(source, mode, Limits())
    except SyntaxError as error:
        where = f"line {error.lineno}: " if mode == "exec" and error.lineno else ""
        return [f"{where}syntax error: {error.msg}"]
    except SandboxViolation as error:
        return list(getattr(error, "problems", [str(error)]))
    except Exception as error:  # noqa: BLE001 - a checker never raises for bad input
        return [f"cannot check the expression: {type(error).__name__}: {error}"]
    known = set(allowed_names) | set(BUILTINS) | program.stored
    return [f"name '{name}' {UNDECLARED}" for name in sorted(program.loaded - known)]


def is_undeclared_name(message: str) -> bool:
    """Whether a problem of check_expression is only a name the check could not prove (not unsafe)."""
    return message.startswith("name '") and message.endswith(UNDECLARED)
