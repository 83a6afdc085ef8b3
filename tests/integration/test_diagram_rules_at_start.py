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
