"""Checks a process model must pass before it is deployed; each problem names its element."""
from __future__ import annotations

from typing import Mapping

from ..engine import DiagramProblem, ProcessBundle
from .forms import schema_problems


def check_forms(bundle: ProcessBundle, forms: Mapping[str, str]) -> list[DiagramProblem]:
    """Every user task names a form that exists and is a valid JSON Schema."""
    problems = []
    for task in bundle.user_tasks.values():
        line = bundle.elements[task.element_id].line if task.element_id in bundle.elements else None
        for name in (task.form, task.ui_form):
            if not name:
                continue
            if name not in forms:
                problems.append(DiagramProblem(f"form '{name}' does not exist", task.element_id, task.name, line))
                continue
            for msg in schema_problems(forms[name]) if name == task.form else []:
                problems.append(DiagramProblem(f"form '{name}': {msg}", task.element_id, task.name, line))
    return problems


def check_model(bundle: ProcessBundle, forms: Mapping[str, str]) -> list[DiagramProblem]:
    """Run every deploy check; errors block the deploy, warnings do not."""
    return check_forms(bundle, forms)
