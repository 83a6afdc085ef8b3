"""Saved searches: a user's named filters of the instance search, private to that user."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from ...errors import Conflict, Invalid, NotFound
from ...models import SavedSearch
from ..runtime import Runtime
from .search import InstanceQuery, require_auditor
from ...domain.actors import Viewer

MAX_PER_USER = 50


def view(row: SavedSearch) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "params": row.params, "created_at": row.created_at.isoformat()}


def list_saved(rt: Runtime, viewer: Viewer) -> list[dict[str, Any]]:
    """The viewer's saved searches by name."""
    with rt.db.read() as s:
        return [
            view(r)
            for r in s.scalars(select(SavedSearch).where(SavedSearch.user_id == viewer.id).order_by(SavedSearch.name))
        ]


def save_search(rt: Runtime, viewer: Viewer, name: Any, params: Any) -> dict[str, Any]:
    """Save (or replace) a named search; the filters are checked as the search would check them."""
    require_auditor(viewer)
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 64:
        raise Invalid(
            "a name is required", [{"field": "name", "message": "1 to 64 characters", "code": "search.bad_name"}]
        )
    if not isinstance(params, dict):
        raise Invalid(
            "params must be an object",
            [{"field": "params", "message": "the search's filters", "code": "search.bad_params"}],
        )
    clean = InstanceQuery.parse({k: v for k, v in params.items() if k not in ("after", "limit")}).params()
    name = name.strip()
    with rt.db.write() as s:
        row = s.scalars(select(SavedSearch).where(SavedSearch.user_id == viewer.id, SavedSearch.name == name)).first()
        if row is None:
            count = len(s.scalars(select(SavedSearch.id).where(SavedSearch.user_id == viewer.id)).all())
            if count >= MAX_PER_USER:
                raise Conflict(
                    f"at most {MAX_PER_USER} saved searches; delete one first",
                    code="search.too_many_saved",
                    params={"n": MAX_PER_USER},
                )
            row = SavedSearch(user_id=viewer.id, name=name, params=clean, created_at=rt.clock.now())
            s.add(row)
        else:
            row.params = clean
        s.flush()
        return view(row)


def delete_search(rt: Runtime, viewer: Viewer, search_id: int) -> None:
    """Delete one of the viewer's saved searches (another user's is 'not found')."""
    with rt.db.write() as s:
        done = s.execute(delete(SavedSearch).where(SavedSearch.id == search_id, SavedSearch.user_id == viewer.id))
        if done.rowcount != 1:
            raise NotFound(f"saved search {search_id} does not exist", code="search.not_found")
