"""The runtime's text settings (config/text_intelligence.toml, setting TEXT_CONFIG), read once per runtime.

Beside flow_config: the appeal rule (services/branches) reads the similarity threshold too, and
services/text_intelligence already depends on services/branches.
"""

from __future__ import annotations

from pathlib import Path

from ...domain.text_intelligence.settings import TextSettings, TextSettingsError
from . import Runtime

DEFAULT = Path(__file__).resolve().parents[3] / "config" / "text_intelligence.toml"


def text_settings(rt: Runtime) -> TextSettings:
    """The settings the runtime's TEXT_CONFIG file sets; a bad file stops with a message naming the setting."""
    found = vars(rt).get("_text_settings")
    if found is None:
        try:
            found = TextSettings.load(rt.settings.get("TEXT_CONFIG") or DEFAULT)
        except (OSError, TextSettingsError) as exc:
            raise SystemExit(f"setting COMPLAINTFLOW_TEXT_CONFIG: {exc}") from exc
        vars(rt)["_text_settings"] = found
    return found
