"""The top navigation: one list of items, each shown to holders of its capability when its page exists.

The slots for later features (process models, reports) are listed already; they appear as soon
as a blueprint defines their endpoint. A feature may also add items with ``add_item``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask, current_app, g, request, url_for

from .i18n import N_


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str  # message key
    capability: str | None = None  # of domain.policy; None: every signed-in user
    order: int = 100
    # Further pages that belong to this item (a detail page of its list): they light it up too.
    pages: tuple[str, ...] = ()
    # Beside the capability, a test of the viewer for an item that depends on their records (None: none).
    shown: Callable[[Any], bool] | None = None


ITEMS = (
    NavItem("inbox.index", "nav.inbox", order=10),
    NavItem("complaints.register", "nav.register", "complaint.register", order=20),
    NavItem("complaints.index", "nav.complaints", order=30, pages=("complaints.show", "complaints.lookup")),
    NavItem("process_models.index", N_("nav.models"), "model.read", order=40),
    NavItem(
        "reports.index",
        "nav.reports",
        "report.read",
        order=50,
        pages=(
            "reports.regulator",
            "improvement.index",
            "improvement.new",
            "improvement.show",
            "improvement.periodicity",
        ),
    ),
)


def add_item(app: Flask, item: NavItem) -> None:
    """Add a navigation item (a feature's blueprint calls this when it registers)."""
    app.extensions["complaintflow.nav"].append(item)


def visible_items() -> list[dict]:
    viewer = getattr(g, "viewer", None)
    if viewer is None:
        return []
    out = []
    for item in sorted(current_app.extensions["complaintflow.nav"], key=lambda i: i.order):
        if item.endpoint not in current_app.view_functions:
            continue
        if item.capability and not viewer.can(item.capability):
            continue
        if item.shown is not None and not item.shown(viewer):
            continue
        out.append(
            {
                "url": url_for(item.endpoint),
                "label": item.label,
                "active": False,
                "endpoint": item.endpoint,
                "pages": item.pages,
            }
        )
    for i in _current(out)[:1]:
        i["active"] = True
    return out


def _current(items: list[dict]) -> list[dict]:
    """The item of this very page; else the item that claims it; else its blueprint's list page.

    The blueprint's first item is not enough: the complaint page's blueprint also holds "register"
    and the regulator report's holds "audit", which come first in the bar."""
    exact = [i for i in items if i["endpoint"] == request.endpoint]
    claimed = [i for i in items if request.endpoint in i["pages"]]
    same_blueprint = [i for i in items if i["endpoint"].split(".", 1)[0] == request.blueprint]
    listing = [i for i in same_blueprint if i["endpoint"].endswith(".index")]
    return exact or claimed or listing or same_blueprint


def init_app(app: Flask) -> None:
    app.extensions["complaintflow.nav"] = list(ITEMS)
    app.jinja_env.globals["nav_items"] = visible_items
