"""The sandbox in which every expression, script and template from a deployed diagram runs.

Whitelist only: a diagram's Python is compiled by our own AST compiler into closures that allow
literals, arithmetic, comparisons, boolean logic, if/for/while, comprehensions, assignments to
names and subscripts, f-strings, a few safe builtins and the harmless methods of str, list,
dict, set, tuple, int and float; every loop turn, call and copy is paid for from a budget, and
sizes are checked before the C code builds a value. Templates run in Jinja's immutable sandbox
with the same limits.
"""

from .checks import check_expression
from .environment import SandboxedEnvironment
from .limits import Limits, SandboxViolation
from .templates import render_instructions

__all__ = ["Limits", "SandboxViolation", "SandboxedEnvironment", "check_expression", "render_instructions"]
