"""The scheduled text job: train the first model, retrain when due, look for bursts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ...models import TextModel, TextSuggestion
from ..runtime import Runtime
from . import bursts, model_registry
from .settings import text_settings


def retrain_due(rt: Runtime) -> bool:
    """True when the current version is older than retrain_hours and enough decisions came in since."""
    cfg = text_settings(rt)
    with rt.db.read() as s:
        last = s.scalar(select(TextModel.created_at).where(TextModel.is_current.is_(True)).limit(1))
        if last is None:
            return True
        if rt.clock.now() - last < timedelta(hours=cfg.retrain_hours):
            return False
        decided = (
            s.scalar(select(func.count()).select_from(TextSuggestion).where(TextSuggestion.decided_at > last)) or 0
        )
    return decided >= cfg.min_new_decisions


def run(rt: Runtime) -> dict:
    """One run of the job: (re)train if due, then detect bursts."""
    trained = model_registry.train_version(rt, "scheduler") if retrain_due(rt) else None
    return {"trained": trained and trained["version"], "bursts": bursts.detect(rt)}
