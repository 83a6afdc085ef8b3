"""Similar complaints and text-based repeat detection.

Each process keeps an in-memory index of the complaints registered within ``similar.window_days``
(domain/text_intelligence/similarity.py). Before each lookup it reads the complaints numbered after the
last one it holds (an indexed range on the primary key, empty almost always), so a complaint registered
on any host is found by every host at once. A complaint's matter is not expected to change after registration.

The first lookup builds the index: about 5 s per 100,000 complaints on a free core, and a provincial centre
holds several hundred thousand in half a year, longer than gunicorn lets a request run (30 s). So a window of
more than SYNC_BUILD_LIMIT complaints is indexed in a thread of its own, and until it is ready a lookup answers
no similar complaints and says so (``warming``): the registration or the intake panel that asked goes on at
once. A smaller window (a new centre, the tests) is indexed inside the first lookup, about a second.

A repeat is the same customer (phone) within the repeat window of config/flow.toml with a similar
matter: text similarity at least ``similar.repeat_score``, or the customer says it is a repeat ("上次投诉",
"还没解决") about a matter the model puts in the earlier complaint's category. It is flagged before any
category is chosen.

The index's module needs NumPy, SciPy and scikit-learn (about 86 MB of a worker's memory and a
second or two of its start): it is imported on first use, so a worker that never reads complaint text
(completing tasks, inboxes, reports) never loads them.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ...domain.personal_data import mask_name, mask_phone
from ...domain.text_intelligence.areas import area
from ...models import Complaint
from ..runtime.flow_config import flow_rules
from ..runtime import Runtime
from . import model_registry
from .settings import text_settings

if TYPE_CHECKING:
    from ...domain.text_intelligence.similarity import SimilarityIndex

log = logging.getLogger(__name__)

BATCH = 5000
SYNC_BUILD_LIMIT = 20_000  # a window this small is indexed inside the lookup that needs it (about a second)
REBUILD_AFTER = timedelta(days=30)  # how far the window may move on before the index is rebuilt
REPEAT_CUES = re.compile(
    r"上次|再次|又一次|第[二三四五]次|多次(?:反映|投诉)|还没(?:有)?(?:解决|处理|退|修|回复)|仍然没|依然没|至今没|一直没(?:有)?解决"
)


def _new_index() -> SimilarityIndex:
    from ...domain.text_intelligence.similarity import SimilarityIndex  # heavy: on first use (module docstring)

    return SimilarityIndex()


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' n-gram vectors (0..1); the libraries are imported on first use."""
    from ...domain.text_intelligence import similarity as heavy

    return heavy.similarity(a, b)


def similarities(a: str, others: list[str]) -> list[float]:
    """``similarity(a, b)`` for each of others, vectorised at once; the libraries are imported on first use."""
    from ...domain.text_intelligence import similarity as heavy

    return heavy.similarities(a, others)


class _Live:
    def __init__(self) -> None:
        self.index: SimilarityIndex | None = None  # made by the first refresh
        self.last_id = 0
        self.lock = threading.Lock()
        self.built_since: datetime | None = None  # the window's start when the index was (re)built
        self.warming: threading.Thread | None = None  # the thread building a large window's first index


_STARTING = threading.Lock()  # one warming thread per process, however many requests ask at once


def _live(rt: Runtime) -> _Live:
    found = vars(rt).get("_similar_index")
    if found is None:
        found = vars(rt).setdefault("_similar_index", _Live())
    return found


def refresh(rt: Runtime) -> int:
    """Add the complaints registered since the last refresh (all of the window at first); return the index size."""
    return len(_refreshed(rt))


def _refreshed(rt: Runtime) -> SimilarityIndex:
    """The process's index, brought up to the latest complaint (made on first use)."""
    live = _live(rt)
    with live.lock:
        since = rt.clock.now() - timedelta(days=text_settings(rt).similar_window_days)
        if live.index is None or live.built_since is None or since < live.built_since:
            # first use (or a clock set back before the window the index holds): read the whole window; the
            # index is published only when full, so that warming() stays true while it is being built
            fresh = _new_index()
            with rt.db.read() as s:
                last_id = _load_window(s, fresh, since)
            live.index, live.last_id, live.built_since = fresh, last_id, since
        elif since - live.built_since > REBUILD_AFTER:
            # complaints that left the window only cost memory and time: forget them, keeping the others' vectors
            live.index, live.built_since = live.index.since(since.timestamp()), since
        index = live.index
        with rt.db.read() as s:
            while True:
                # the newer complaints by primary key only; those registered before the window (an imported
                # history) are passed over here, in Python, so that the next refresh starts after them
                rows = s.execute(
                    select(Complaint.id, Complaint.matter, Complaint.created_at)
                    .where(Complaint.id > live.last_id)
                    .order_by(Complaint.id)
                    .limit(BATCH)
                ).all()
                if not rows:
                    break
                fresh = [r for r in rows if r[2] >= since]
                index.add([r[0] for r in fresh], [r[1] or "" for r in fresh], [r[2].timestamp() for r in fresh])
                live.last_id = rows[-1][0]
                if len(rows) < BATCH:
                    break
        return index


def _load_window(s, index: SimilarityIndex, since: datetime) -> int:
    """Fill a new index with the complaints registered since the window's start, in the order of their ids;
    return the newest id read.

    One range of the registration-time index (ix_complaint_created), not the primary key from the first complaint:
    at a million complaints with half a year in the window, the key's order would read every older one too.
    The newest id is read first: whatever is committed after it is numbered after it and read by the refresh."""
    top = s.scalar(select(func.max(Complaint.id))) or 0
    # `id <= top` stays out of the statement: SQLite would take it for a range of the primary key
    rows = s.execute(
        select(Complaint.id, Complaint.matter, Complaint.created_at).where(Complaint.created_at >= since)
    ).all()
    rows = sorted((r for r in rows if r[0] <= top), key=lambda r: r[0])
    for at in range(0, len(rows), BATCH):
        part = rows[at : at + BATCH]
        index.add([r[0] for r in part], [r[1] or "" for r in part], [r[2].timestamp() for r in part])
    return top


def _ready(rt: Runtime) -> SimilarityIndex | None:
    """The process's index brought up to date, or None while a large window's first index is being built."""
    live = _live(rt)
    if live.index is None:
        if warming(rt):
            return None
        since = rt.clock.now() - timedelta(days=text_settings(rt).similar_window_days)
        with rt.db.read() as s:  # bounded: one step of ix_complaint_created past the limit
            beyond = s.scalar(
                select(Complaint.id)
                .where(Complaint.created_at >= since)
                .order_by(Complaint.created_at)
                .offset(SYNC_BUILD_LIMIT)
                .limit(1)
            )
        if beyond is not None:
            _warm_in_background(rt, live)
            return None
    return _refreshed(rt)


def warming(rt: Runtime) -> bool:
    """Whether this process is still building its first index (lookups answer no similar complaints until then)."""
    live = _live(rt)
    return live.index is None and live.warming is not None and live.warming.is_alive()


def _warm_in_background(rt: Runtime, live: _Live) -> None:
    with _STARTING:
        if live.index is None and (live.warming is None or not live.warming.is_alive()):
            live.warming = threading.Thread(target=_warm, args=(rt,), name="similar-index", daemon=True)
            live.warming.start()


def _warm(rt: Runtime) -> None:
    try:
        size = len(_refreshed(rt))
    except Exception:  # a lost database, say: the next lookup starts another thread
        log.exception("building the similar-complaints index failed")
        return
    log.info("similar-complaints index ready: %d complaints", size)


def _view(c: Complaint, score: float) -> dict[str, Any]:
    # other customers' complaints, shown to whoever types a similar text: never their name or phone in clear
    return {
        "id": c.id,
        "number": c.number,
        "customer_name": mask_name(c.customer_name),
        "customer_phone_masked": mask_phone(c.customer_phone),
        "area": area(c.matter or ""),
        "matter": (c.matter or "")[:140],
        "category": c.category,
        "status": c.status,
        "created_at": c.created_at.isoformat(),
        "score": round(score, 3),
    }


def similar(rt: Runtime, text: str, exclude: set[int] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The most similar recent complaints to the text, best first, with customer and area."""
    cfg = text_settings(rt)
    if len((text or "").strip()) < 4:
        return []
    index = _ready(rt)
    if index is None:
        return []  # being built (warming): the caller says so beside the empty list
    since = (rt.clock.now() - timedelta(days=cfg.similar_window_days)).timestamp()
    hits = index.query(text, limit or cfg.similar_limit, cfg.similar_min_score, since, exclude)
    if not hits:
        return []
    with rt.db.read() as s:
        rows = {c.id: c for c in s.scalars(select(Complaint).where(Complaint.id.in_([h[0] for h in hits])))}
        return [_view(rows[i], score) for i, score in hits if i in rows]


def repeat_check(rt: Runtime, text: str, phone: str | None, exclude_id: int | None = None) -> dict[str, Any] | None:
    """The customer's earlier complaint this text repeats, within the repeat window, or None."""
    if not phone or len((text or "").strip()) < 2:
        return None
    cfg = text_settings(rt)
    since = rt.clock.now() - timedelta(days=flow_rules(rt).repeat_window_days)
    with rt.db.read() as s:
        earlier = list(
            s.scalars(
                select(Complaint)
                .where(Complaint.customer_phone == phone, Complaint.created_at >= since)
                .order_by(Complaint.created_at.desc())
                .limit(20)
            )
        )
        earlier = [c for c in earlier if c.id != exclude_id]
        if not earlier:
            return None
        scored = sorted(zip(similarities(text, [c.matter or "" for c in earlier]), earlier), key=lambda p: -p[0])
        best_score, best = scored[0]
        if best_score >= cfg.repeat_score:
            return _view(best, best_score) | {"reason": "similar"}
        if REPEAT_CUES.search(text):
            _, model = model_registry.current(rt)
            guess = model.predict(text, top=1).get("category", [(None, 0.0)])[0] if model else (None, 0.0)
            for score, c in scored:
                if c.category and c.category == guess[0]:
                    return _view(c, score) | {"reason": "same_category", "category_confidence": round(guess[1], 3)}
            return _view(best, best_score) | {"reason": "customer_says_repeat"}
    return None
