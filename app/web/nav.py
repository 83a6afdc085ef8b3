"""The top navigation: one list of items, each shown to holders of its capability when its page exists.

The slots for later features (process models, reports) are listed already; they appear as soon
as a blueprint defines their endpoint. A feature may also add items with ``add_item``.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, request, url_for

@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str  # message key
    capability: str | None = None  # of domain.policy; None: every signed-in user
    order: int = 100


ITEMS = (
    NavItem("inbox.index", "nav.inbox", order=10),
    NavItem("complaints.register", "nav.register", "complaint.register", order=20),
    NavItem("complaints.index", "nav.complaints", order=30),
    NavItem("process_models.index", "nav.models", "model.read", order=40),
    NavItem("reports.index", "nav.reports", "report.read", order=50),
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
        out.append({"url": url_for(item.endpoint), "label": item.label, "active": False, "endpoint": item.endpoint})
    # The item of this very page; else the first item of this page's blueprint (a detail page).
    exact = [i for i in out if i["endpoint"] == request.endpoint]
    same_blueprint = [i for i in out if i["endpoint"].split(".", 1)[0] == request.blueprint]
    for i in (exact or same_blueprint)[:1]:
        i["active"] = True
    return out


def init_app(app: Flask) -> None:
    app.extensions["complaintflow.nav"] = list(ITEMS)
    app.jinja_env.globals["nav_items"] = visible_items
