"""config/diagram_rules.toml: one documented place says what blocks a deploy, what warns, what is off."""

from __future__ import annotations

import pytest

from app.domain.diagram_rules import DiagramRulesError, rule_levels
from app.engine import DiagramProblem
from app.engine.lint import RECOMMENDED
from app.services.process_models.checks import apply_levels

STYLE = (
    "label-required",
    "no-bpmndi",
    "no-implicit-end",
    "no-implicit-split",
    "single-event-definition",
    "no-disconnected",
    "end-event-required",
)


def test_every_lint_rule_has_a_documented_level_and_style_only_warns():
    levels = rule_levels()
    assert set(RECOMMENDED) <= set(levels)
    assert all(levels[rule] == "warning" for rule in STYLE)
    assert levels["conditional-flows"] == levels["link-event"] == "error"
    assert levels["undeclared-name"] == "warning"


def test_a_level_is_a_ceiling_warning_demotes_off_drops_error_keeps(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[rules]\nlabel-required = "warning"\nglobal = "off"\nform = "error"\n', encoding="utf-8")
    problems = [
        DiagramProblem("no label", "a", rule="label-required"),
        DiagramProblem("unused", "b", rule="global", severity="warning"),
        DiagramProblem("no form", "c", rule="form", severity="warning"),
        DiagramProblem("bad form", "d", rule="form"),
        DiagramProblem("parser", "e", rule="parser"),
    ]
    got = {(p.element_id, p.severity) for p in apply_levels(problems, rule_levels(path))}
    assert got == {("a", "warning"), ("c", "warning"), ("d", "error"), ("e", "error")}


def test_a_misspelt_level_stops_with_the_rule_named(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[rules]\nlabel-required = "warnng"\n', encoding="utf-8")
    with pytest.raises(DiagramRulesError, match="label-required"):
        rule_levels(path)


def test_the_domain_knows_every_rule_the_lint_checks():
    from app.domain.diagram_rules import LINT_RULES

    assert LINT_RULES == set(RECOMMENDED)


@pytest.mark.parametrize(
    ("text", "named", "allowed"),
    [
        ('[rules]\nlabel-requird = "warning"\n', "'label-requird' is not a rule", "label-required"),
        ('[rules]\nlabel-required = "blocker"\n', "'blocker'", "error, off, warn, warning"),
        ("[rules]\nlabel-required = 1\n", "must be a quoted level, not int 1", "error, off, warn, warning"),
        ('rules = "warning"\n', "key 'rules' must be a table", "rule = level"),
        ('[rule]\nglobal = "off"\n', "unknown key 'rule'", "[rules]"),
    ],
)
def test_a_bad_rules_file_is_refused_naming_the_file_the_key_and_the_allowed_values(tmp_path, text, named, allowed):
    path = tmp_path / "diagram_rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagramRulesError) as caught:
        rule_levels(path)
    message = str(caught.value)
    assert str(path) in message and named in message and allowed in message
