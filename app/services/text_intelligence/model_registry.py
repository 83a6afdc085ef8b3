"""Classifier versions in the database: train and store one, and serve the current one on every host.

Each process keeps the current version's fitted model in memory and asks the database which version is
current at most every ``CHECK_SECONDS`` (one indexed read), so a version trained on any host, by the
scheduled job or the command, is served everywhere within that time. With no version at all there are no
suggestions until ``ensure_model`` (init-db, serve, the scheduled job) trains one from the cold-start set;
two hosts racing both store one, under the next free version number, and the newest is current.

The classifier's module (NumPy, scikit-learn) is imported when a model is first trained or read, not when
this module is: a worker that never scores text never loads them (services/text_intelligence/similar.py).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ...errors import Conflict
from ...models import TextModel as TextModelRow
from ..runtime import Runtime
from .training_data import collect

if TYPE_CHECKING:
    from ...domain.text_intelligence import classifier

CHECK_SECONDS = 10.0


@dataclass
class _Served:
    version: int | None = None
    model: classifier.TextModel | None = None
    checked: float = 0.0


def _state(rt: Runtime) -> tuple[_Served, threading.Lock]:
    found = vars(rt).get("_text_model")
    if found is None:
        found = vars(rt).setdefault("_text_model", (_Served(), threading.Lock()))
    return found


def train_version(rt: Runtime, trained_by: str, evaluate: bool = True) -> dict[str, Any]:
    """Train on everything there is to learn from, evaluate on a held-out fifth, store it as the new current version."""
    from ...domain.text_intelligence import classifier
    from ...domain.text_intelligence.evaluation import evaluate_holdout

    started = time.perf_counter()
    data = collect(rt)
    model = classifier.train(data.texts, data.labels, data.weights)
    seconds = time.perf_counter() - started
    evaluation = None
    if evaluate:
        rows = [i for i, c in enumerate(data.labels["category"]) if c]
        evaluation = evaluate_holdout([data.texts[i] for i in rows], [data.labels["category"][i] for i in rows])
    blob = model.to_bytes()
    now = rt.clock.now()
    for _ in range(3):
        try:
            with rt.db.write() as s:
                version = (s.scalar(select(func.max(TextModelRow.version))) or 0) + 1
                s.execute(update(TextModelRow).where(TextModelRow.is_current.is_(True)).values(is_current=False))
                s.add(
                    TextModelRow(
                        version=version,
                        is_current=True,
                        blob=blob,
                        trained_texts=len(data.texts),
                        sources=data.sources,
                        evaluation=evaluation,
                        trained_seconds=round(seconds, 2),
                        trained_by=trained_by,
                        created_at=now,
                    )
                )
            break
        except IntegrityError:  # another host stored the same number first: take the next one
            continue
    else:
        raise Conflict("could not number the new classifier version; train again", code="classifier.number_clash")
    served, lock = _state(rt)
    with lock:
        served.version, served.model, served.checked = version, model, time.monotonic()
    return {
        "version": version,
        "trained_texts": len(data.texts),
        "sources": data.sources,
        "trained_seconds": round(seconds, 2),
        "evaluation": evaluation,
    }


def current(rt: Runtime) -> tuple[int | None, classifier.TextModel | None]:
    """The current version's number and fitted model; (None, None) before any version was trained.

    A request never trains: the first version is made by ``ensure_model`` (init-db, serve, the scheduled job).
    """
    served, lock = _state(rt)
    if served.model is not None and time.monotonic() - served.checked < CHECK_SECONDS:
        return served.version, served.model
    with lock:
        if served.model is not None and time.monotonic() - served.checked < CHECK_SECONDS:
            return served.version, served.model
        with rt.db.read() as s:
            version = s.scalar(
                select(TextModelRow.version)
                .where(TextModelRow.is_current.is_(True))
                .order_by(TextModelRow.version.desc())
                .limit(1)
            )
            if version is not None and version != served.version:
                from ...domain.text_intelligence import classifier  # the text libraries: on first use

                blob = s.scalar(select(TextModelRow.blob).where(TextModelRow.version == version))
                served.model, served.version = classifier.TextModel.from_bytes(blob), version
        served.checked = time.monotonic()
        return served.version, served.model


def ensure_model(rt: Runtime) -> int:
    """Train the first version from the cold-start set (and whatever history there is) unless one exists."""
    version, _ = current(rt)
    if version is None:
        version = train_version(rt, "cold start")["version"]
    return version


def versions(rt: Runtime, limit: int = 20) -> list[dict[str, Any]]:
    """The stored versions, newest first, without their arrays."""
    with rt.db.read() as s:
        rows = s.execute(
            select(
                TextModelRow.version,
                TextModelRow.is_current,
                TextModelRow.trained_texts,
                TextModelRow.sources,
                TextModelRow.evaluation,
                TextModelRow.trained_seconds,
                TextModelRow.trained_by,
                TextModelRow.created_at,
            )
            .order_by(TextModelRow.version.desc())
            .limit(limit)
        ).all()
    return [
        {
            "version": v,
            "is_current": cur,
            "trained_texts": n,
            "sources": src,
            "evaluation": ev,
            "trained_seconds": sec,
            "trained_by": by,
            "created_at": at.isoformat(),
        }
        for v, cur, n, src, ev, sec, by, at in rows
    ]
