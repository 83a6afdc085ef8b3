"""A mistake in config/diagram_rules.toml stops the app at start, naming the file, the key and what is allowed.

Without this a misspelt rule kept its check's default level silently, and a misspelt level
refused every diagram at the first deploy.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_app


@pytest.mark.parametrize(
    ("line", "key", "allowed"),
    [
        ('label-requird = "warning"', "'label-requird' is not a rule", "label-required"),
        ('label-required = "blocker"', "'label-required' has level 'blocker'", "error, off, warn, warning"),
        ("label-required = false", "'label-required' must be a quoted level", "error, off, warn, warning"),
    ],
)
def test_the_app_refuses_to_start_with_a_bad_rules_file(sqlite_url, clock, tmp_path, line, key, allowed):
    path = tmp_path / "diagram_rules.toml"
    path.write_text(f"[rules]\n{line}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        make_app(sqlite_url, clock, tmp_path, DIAGRAM_RULES=str(path))
    message = str(stopped.value)
    assert "COMPLAINTFLOW_DIAGRAM_RULES" in message and str(path) in message
    assert key in message and allowed in message


def test_the_shipped_rules_file_starts(sqlite_url, clock, tmp_path):
    app = make_app(sqlite_url, clock, tmp_path)
    app.extensions["complaintflow"].db.dispose()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[fallback]\ngroup = "legal"\n', "[fallback] group is 'legal'; allowed: agent"),
        ('[fallback]\ngroup = "supervisor"\n[group_aliases]\naccounting = "finance"\n', "'accounting' = 'finance'"),
        ('[fallback]\ngroup = "supervisor"\n[aliases]\n', "unknown key 'aliases'"),
    ],
)
def test_the_app_refuses_to_start_with_a_bad_group_alias_file(sqlite_url, clock, tmp_path, text, named):
    path = tmp_path / "group_aliases.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        make_app(sqlite_url, clock, tmp_path, GROUP_ALIASES=str(path))
    message = str(stopped.value)
    assert "COMPLAINTFLOW_GROUP_ALIASES" in message and str(path) in message and named in message


@pytest.mark.slow
def test_check_config_says_ok_or_names_the_file_and_key(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "COMPLAINTFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "COMPLAINTFLOW_SECRET_KEY": "x",
    }
    command = [sys.executable, "-c", "from app.cli import main; main()", "check-config"]
    good = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stderr
    assert "ok  DIAGRAM_RULES" in good.stdout and "configuration ok" in good.stdout
    path = tmp_path / "diagram_rules.toml"
    path.write_text('[rules]\nno-bpmndi = "silent"\n', encoding="utf-8")
    bad = subprocess.run(
        command, env={**env, "COMPLAINTFLOW_DIAGRAM_RULES": str(path)}, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode != 0
    assert str(path) in bad.stderr and "'no-bpmndi' has level 'silent'" in bad.stderr
