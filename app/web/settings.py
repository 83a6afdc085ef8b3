"""A user's own settings: the time zone the pages show times in (the language has its switch in the top bar)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from ..errors import Invalid
from ..services.accounts import people
from .access import login_required, runtime, viewer
from .i18n import N_, DEFAULT_TIME_ZONE, user_time_zone

bp = Blueprint("settings", __name__, url_prefix="/settings")

# The zones offered, with their names in words; any IANA zone is accepted from the API of the service.
ZONES = (
    ("Asia/Shanghai", N_("settings.tz.asia_shanghai")),
    ("Asia/Urumqi", N_("settings.tz.asia_urumqi")),
    ("Asia/Hong_Kong", N_("settings.tz.asia_hong_kong")),
    ("Asia/Taipei", N_("settings.tz.asia_taipei")),
    ("Asia/Tokyo", N_("settings.tz.asia_tokyo")),
    ("Asia/Singapore", N_("settings.tz.asia_singapore")),
    ("Asia/Dubai", N_("settings.tz.asia_dubai")),
    ("Europe/Moscow", N_("settings.tz.europe_moscow")),
    ("Europe/Paris", N_("settings.tz.europe_paris")),
    ("Europe/London", N_("settings.tz.europe_london")),
    ("America/New_York", N_("settings.tz.america_new_york")),
    ("America/Los_Angeles", N_("settings.tz.america_los_angeles")),
    ("UTC", N_("settings.tz.utc")),
)


def _offset(zone: str, now: datetime) -> str:
    """UTC+08:00, as the zone stands now (summer time included)."""
    minutes = int(now.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@bp.get("")
@login_required
def index():
    """Show the user's settings."""
    now = runtime().clock.now()
    zones = [{"value": z, "key": key, "offset": _offset(z, now)} for z, key in ZONES]
    current = str(user_time_zone())
    return render_template("settings/index.html", zones=zones, current=current, default=DEFAULT_TIME_ZONE)


@bp.post("")
@login_required
def save():
    """Keep the chosen time zone for this session and the user's next sign-in."""
    zone = request.form.get("time_zone", "")
    try:
        people.set_time_zone(runtime(), viewer().id, zone)
    except Invalid:
        flash(N_("settings.tz_unknown"), "error")
        return redirect(url_for("settings.index"))
    session["tz"] = zone
    flash(N_("settings.saved"), "success")
    return redirect(url_for("settings.index"))
