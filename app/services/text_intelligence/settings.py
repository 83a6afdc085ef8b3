"""The runtime's text settings: kept in services/runtime/text_config.py, named here for this package."""

from __future__ import annotations

from ..runtime.text_config import DEFAULT, text_settings

__all__ = ["DEFAULT", "text_settings"]
