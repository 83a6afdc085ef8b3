"""满意度分析: the survey's four ratings by department, category, channel, agent and month, satisfaction against
handling time, breaches, transfers and reopenings, and the in-progress surveys; CSV of the ratings. Team leaders."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Flask, Response, render_template, request

from ..errors import Invalid
from ..services.reporting import dashboard as reports
from ..services.reporting.satisfaction import CHANNELS, GROUPS, progress_figures, rating_dimensions
from ..services.reporting.satisfaction_factors import satisfaction_factors
from .access import capability_required, runtime, viewer
from .refusals import field_errors
from .i18n import N_, t
from .reports import short_label

bp = Blueprint("satisfaction", __name__, url_prefix="/reports/satisfaction")


def _filters() -> tuple[reports.ReportFilter, str | None, dict[str, str]]:
    """The period, category and department (as the dashboard reads them) and the channel; bad ones fall back."""
    today = reports.today(runtime())
    errors: dict[str, str] = {}
    try:
        f = reports.ReportFilter.parse(request.args, today)
    except Invalid as exc:
        f, errors = reports.ReportFilter.parse({}, today), field_errors(exc)
    channel = request.args.get("channel") or None
    if channel is not None and channel not in CHANNELS:
        errors["channel"], channel = t("satisfaction.bad_channel"), None
    return f, channel, errors


@bp.get("")
@capability_required("report.people")
def index():
    """The four ratings by grouping, the correlation charts and the in-progress surveys, for the filters."""
    f, channel, errors = _filters()
    params = f.params() | ({"channel": channel} if channel else {})
    factors = satisfaction_factors(runtime(), viewer(), f, channel)
    band_labels = {
        fa["factor"]: [t(f"satisfaction.band.{fa['factor']}.{b['band']}") for b in fa["bands"]]
        for fa in factors["factors"]
    }
    return render_template(
        "reports/satisfaction.html",
        ratings=rating_dimensions(runtime(), viewer(), f, channel),
        factors=factors,
        band_labels=band_labels,
        progress=progress_figures(runtime(), viewer(), f, channel),
        f=f,
        channel=channel,
        params=params,
        errors=errors,
        groups=GROUPS,
        channels=CHANNELS,
    )


@bp.get("/export.csv")
@capability_required("report.people")
def export():
    """The ratings tables as one CSV (UTF-8 with a BOM, so Excel reads the Chinese): grouping, value, answers, means."""
    f, channel, _ = _filters()
    data = rating_dimensions(runtime(), viewer(), f, channel)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [t("satisfaction.csv.group"), t("satisfaction.csv.value"), t("reports.answered")]
        + [t(f"reports.{r}") for r in data["dimensions"]]
    )
    for group in GROUPS:
        for row in data[group]:
            if group == "owner":
                value = row.get("name") or ""
            elif group == "month" or not row["value"]:
                value = row["value"] or ""
            else:
                value = short_label(group, row["value"])
            means = ["" if row[r] is None else f"{row[r]:.2f}" for r in data["dimensions"]]
            w.writerow([t(f"reports.ratings_by.{group}"), value, row["answered"], *means])
    name = f"satisfaction-{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


def init_app(app: Flask) -> None:
    from .nav import NavItem, add_item

    app.register_blueprint(bp)
    # Figures per agent and department are team leaders' (report.people), as the page itself requires.
    add_item(app, NavItem("satisfaction.index", N_("nav.satisfaction"), "report.people", order=51))
