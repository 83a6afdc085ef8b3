"""Every problem the diagram checks make carries a catalogue code, and bpmnlint's words each have one."""

from __future__ import annotations

import ast
from pathlib import Path

from app.engine.lint import message_code
from app.web.diagram_problems import CODES

ROOT = Path(__file__).resolve().parents[2]
CHECK_MODULES = [
    "app/engine/lint.py",
    "app/engine/diagram_checks.py",
    "app/engine/parsing.py",
    "app/engine/work_limits.py",
    "app/engine/camunda.py",
    "app/services/process_models/checks.py",
]


def _calls(path: str, name: str) -> list[ast.Call]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]


def test_every_problem_made_names_its_code():
    # DiagramProblem(message, element_id, name, line, file, severity, rule, fix, code, params): the
    # code is the ninth positional argument or a keyword; the modules' helpers take it the same way.
    takes_code = {"DiagramProblem": 9, "_problem": None, "problem": 3, "warn": 3}  # None: by keyword only
    missing = []
    for path in CHECK_MODULES:
        for name, position in takes_code.items():
            for call in _calls(path, name):
                by_keyword = "code" in {k.arg for k in call.keywords}
                if not by_keyword and (position is None or len(call.args) < position):
                    missing.append(f"{path}:{call.lineno} {name}")
    assert missing == []


def _lint_messages() -> list[str]:
    """Each message a bpmnlint rule yields, its formatted values filled with a sample."""
    tree = ast.parse((ROOT / "app/engine/lint.py").read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Yield) and isinstance(node.value, ast.Tuple)):
            continue
        text = node.value.elts[1]
        while isinstance(text, ast.Tuple):  # yield (id, ("message"))
            text = text.elts[0]
        if isinstance(text, ast.Constant):
            out.append(text.value)
        elif isinstance(text, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.Constant) else "X" for v in text.values]
            out.append("".join(parts))
    return out


def _sample(message: str) -> str:
    """A message as a rule would say it: its formatted words (the scope, the missing side) filled in."""
    return message.replace("X is missing", "Process is missing").replace("Link X event", "Link catch event")


def test_every_bpmnlint_message_has_a_code_in_the_list():
    messages = [_sample(m) for m in _lint_messages()]
    assert len(messages) > 30
    unknown = [m for m in messages if not message_code(m)[0]]
    assert unknown == []
    assert message_code("Link catch event with link name <a> missing in scope") == (
        "check.lint.link_missing_catch",
        {"name": "a"},
    )
    codes = {message_code(m)[0] for m in messages}
    assert codes - set(CODES) == set()
