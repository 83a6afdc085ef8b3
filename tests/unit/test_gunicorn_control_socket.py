"""Two complaintflow instances on one host each get their own gunicornc control socket."""

from __future__ import annotations

import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


def _settings(monkeypatch, **env: str) -> dict:
    for name in ("COMPLAINTFLOW_BIND", "COMPLAINTFLOW_CONTROL_SOCKET", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_each_bind_address_has_its_own_control_socket(monkeypatch, tmp_path):
    first = _settings(monkeypatch, COMPLAINTFLOW_BIND="127.0.0.1:8000", XDG_RUNTIME_DIR=str(tmp_path))
    second = _settings(monkeypatch, COMPLAINTFLOW_BIND="127.0.0.1:8001", XDG_RUNTIME_DIR=str(tmp_path))
    assert first["control_socket"] != second["control_socket"]
    assert Path(first["control_socket"]).parent == tmp_path


def test_the_control_socket_can_be_named_or_turned_off(monkeypatch, tmp_path):
    named = _settings(monkeypatch, COMPLAINTFLOW_CONTROL_SOCKET=str(tmp_path / "ctl"))
    assert named["control_socket"] == str(tmp_path / "ctl")
    assert _settings(monkeypatch, COMPLAINTFLOW_CONTROL_SOCKET="off")["control_socket_disable"] is True
