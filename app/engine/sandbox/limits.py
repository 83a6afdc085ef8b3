"""The limits of one sandboxed run, the error that refuses, and the budget that counts the work."""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import repeat


class SandboxViolation(Exception):
    """Refuse a construct, a name or an operation the sandbox does not allow."""

    problems: list[str]  # set when compiling found several; each names one


@dataclass(frozen=True)
class Limits:
    """Bound the work and the sizes one expression, script or template may reach."""

    max_steps: int = 1_000_000  # work units: loop turns, calls, items copied, compared or hashed
    max_iterations: int = 100_000  # loop and comprehension turns in one run
    max_seconds: float = 0.5  # wall clock of one run, checked every 1,024 work units
    max_string: int = 1_000_000  # characters in one string
    max_items: int = 100_000  # items in one list, tuple, dict or set
    max_int_bits: int = 10_000  # about 3,000 decimal digits
    max_depth: int = 32  # nesting of values: task data must stay JSON
    max_data_chars: int = 5_000_000  # rough JSON size of the task data a script leaves
    max_source: int = 20_000  # characters of one expression or script
    max_syntax_depth: int = 100  # nesting of the syntax tree
    max_template: int = 100_000  # characters of one instructions template


_CHECK_EVERY = 1024
_CONTAINERS = frozenset({list, tuple, dict, set, frozenset, type({}.keys()), type({}.values()), type({}.items())})


class Budget:
    """Count the work of one run and stop it the moment a limit is passed."""

    __slots__ = ("limits", "steps", "iterations", "deadline", "next_check")

    def __init__(self, limits: Limits):
        self.limits = limits
        self.steps = 0
        self.iterations = 0
        self.deadline = time.perf_counter() + limits.max_seconds
        self.next_check = _CHECK_EVERY

    def charge(self, units: int) -> None:
        """Add work units; check the step limit and the clock now and then."""
        self.steps += units
        if self.steps >= self.next_check:
            self._check()

    def turn(self) -> None:
        """Count one loop or comprehension turn."""
        self.iterations += 1
        if self.iterations > self.limits.max_iterations:
            raise SandboxViolation(f"loop limit exceeded: more than {self.limits.max_iterations} iterations")
        self.charge(1)

    def check_clock(self) -> None:
        """Refuse at once when the run's time is up (templates call this on every filter and call)."""
        if time.perf_counter() > self.deadline:
            raise SandboxViolation(f"time limit exceeded: more than {self.limits.max_seconds} s")

    def _check(self) -> None:
        if self.steps > self.limits.max_steps:
            raise SandboxViolation(f"work limit exceeded: more than {self.limits.max_steps} steps")
        if time.perf_counter() > self.deadline:
            raise SandboxViolation(f"time limit exceeded: more than {self.limits.max_seconds} s")
        self.next_check = self.steps + _CHECK_EVERY


def is_container(value) -> bool:
    """Tell whether walking the value costs more than one step."""
    return type(value) in _CONTAINERS


def measure(budget: Budget, value, allowance: int | None = None) -> int:
    """Walk a value, charge its size and return the rough length of its repr.

    C code that compares, hashes or prints a container walks all of it, however it was built
    (a list of 10**5 references to one 1 MB string is cheap to build, not to print), so every
    such operation pays for the walk first, and refuses values nested deeper than the limit.
    """
    limits = budget.limits
    if allowance is None:
        allowance = max(limits.max_steps - budget.steps, 0)
    units = chars = 0
    stack = [(value, 0)]
    pop, extend = stack.pop, stack.extend
    while stack:
        item, depth = pop()
        kind = type(item)
        units += 1
        if kind is str:
            units += len(item) >> 6
            chars += len(item) + 2
        elif kind in _CONTAINERS:
            if depth >= limits.max_depth:
                raise SandboxViolation(f"value nested deeper than {limits.max_depth} levels")
            if kind is dict:
                extend(zip(item.keys(), repeat(depth + 1)))
                extend(zip(item.values(), repeat(depth + 1)))
            else:
                extend(zip(item, repeat(depth + 1)))
            chars += 2 + 2 * len(item)
        elif kind is int:
            chars += item.bit_length() // 3 + 2
        else:
            chars += 24
        if units > allowance:
            raise SandboxViolation(
                f"work limit exceeded: a value too large to compare, hash, print or save (more than {allowance} steps)"
            )
    budget.charge(units)
    return chars
