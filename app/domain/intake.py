"""Live intake: which channels are taken with the customer on the line, and when such a record is complete."""

from __future__ import annotations

from typing import Any, Mapping

# The customer is present (on the call, at the counter): the agent registers, classifies and reads back in one go.
# Every other channel arrives unattended and waits in the receive queue on its own clock.
LIVE_CHANNELS = ("phone", "hall")
CLASSIFICATION = ("category", "severity", "special_type")


def is_live(channel: Any) -> bool:
    """True for a channel where the agent has the customer on the line."""
    return channel in LIVE_CHANNELS


def complete_live_intake(data: Mapping[str, Any]) -> bool:
    """True when a live complaint was registered, classified and read back at intake: receive, classify and
    register are then already done, and the complaint goes straight on to dispatch."""
    return (
        is_live(data.get("channel"))
        and data.get("read_back_confirmed") is True
        and all(isinstance(data.get(k), str) and data.get(k) for k in CLASSIFICATION)
    )
