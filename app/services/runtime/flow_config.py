"""The runtime's flow rules (config/flow.toml, setting FLOW_CONFIG), read once per runtime."""

from __future__ import annotations

from pathlib import Path

from ...domain.flow_rules import FlowConfigError, FlowRules
from . import Runtime

DEFAULT = Path(__file__).resolve().parents[2] / "config" / "flow.toml"


def flow_rules(rt: Runtime) -> FlowRules:
    """The rules the runtime's FLOW_CONFIG file sets; a bad file stops with a message naming the setting."""
    found = vars(rt).get("_flow_rules")  # cached on the runtime: one per app
    if found is None:
        path = rt.settings.get("FLOW_CONFIG") or DEFAULT
        try:
            found = FlowRules.load(path)
        except FlowConfigError as exc:
            raise SystemExit(f"setting COMPLAINTFLOW_FLOW_CONFIG: {exc}") from exc
        vars(rt)["_flow_rules"] = found
    return found
