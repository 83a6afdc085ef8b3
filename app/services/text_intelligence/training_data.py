"""What the classifier learns from: the cold-start set, imported history, and every decision agents made.

A complaint's category, severity and special type are learnt once an agent set them in the classify step
(nothing is set by the model itself); its department once dispatched. Where the agent changed what the
model suggested, the example counts ``correction_weight`` times, so the next version learns the
correction rather than drowning it in older examples.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from ...models import Complaint, HistoryImport, HistoryRecord, TextSuggestion
from ..runtime import Runtime
from .settings import text_settings

FIELDS = ("category", "special_type", "severity", "department")


@dataclass
class TrainingSet:
    texts: list[str] = field(default_factory=list)
    labels: dict[str, list[str | None]] = field(default_factory=lambda: {f: [] for f in FIELDS})
    weights: list[float] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)

    def add(self, source: str, text: str, weight: float = 1.0, **labels: str | None) -> None:
        if not (text or "").strip():
            return
        self.texts.append(text)
        for f in FIELDS:
            self.labels[f].append(labels.get(f) or None)
        self.weights.append(weight)
        self.sources[source] = self.sources.get(source, 0) + 1


def read_seed(path: Path) -> list[dict[str, str]]:
    """The cold-start rows (text, category, special_type, severity); lines starting with # are comments."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _department(category: str | None, special_type: str | None) -> str | None:
    from ...domain.groups import ROUTING

    if special_type == "privacy":
        return "security"  # the privacy branch's desk (信息安全部)
    if special_type in ("fraud", "special_needs", "outage"):
        return None  # their branches choose the desk; nothing to learn for the dispatcher
    return ROUTING.get(category or "")


def collect(rt: Runtime) -> TrainingSet:
    """Gather the training set: seed, history (newest first up to max_texts), decided complaints, corrections."""
    cfg = text_settings(rt)
    out = TrainingSet()
    for row in read_seed(cfg.seed_file):
        out.add(
            "seed",
            row["text"],
            category=row.get("category"),
            special_type=row.get("special_type"),
            severity=row.get("severity"),
            department=_department(row.get("category"), row.get("special_type")),
        )
    since = rt.clock.now() - timedelta(days=cfg.history_days)
    budget = cfg.max_texts
    with rt.db.read() as s:
        corrected = {
            cid: decided
            for cid, decided in s.execute(
                select(TextSuggestion.complaint_id, TextSuggestion.decided).where(
                    TextSuggestion.overridden.is_(True), TextSuggestion.complaint_id.is_not(None)
                )
            )
        }
        decided = s.execute(
            select(
                Complaint.id,
                Complaint.matter,
                Complaint.category,
                Complaint.special_type,
                Complaint.severity,
                Complaint.department,
            )
            .where(Complaint.category.is_not(None), Complaint.created_at >= since)
            .order_by(Complaint.id.desc())
            .limit(budget)
        ).all()
        for cid, matter, category, special, severity, department in decided:
            weight = cfg.correction_weight if cid in corrected else 1.0
            out.add(
                "corrections" if cid in corrected else "decisions",
                matter,
                weight,
                category=category,
                special_type=special or "none",
                severity=severity,
                department=department,
            )
        budget -= len(decided)
        if budget > 0:
            history = s.execute(
                select(
                    HistoryRecord.text,
                    HistoryRecord.category,
                    HistoryRecord.special_type,
                    HistoryRecord.severity,
                    HistoryRecord.department,
                )
                .join(HistoryImport, HistoryImport.id == HistoryRecord.import_id)
                .where(HistoryImport.status == "imported", HistoryImport.taxonomy == "ours")
                .where((HistoryRecord.occurred_at.is_(None)) | (HistoryRecord.occurred_at >= since))
                .order_by(HistoryRecord.id.desc())
                .limit(budget)
            ).all()
            for text, category, special, severity, department in history:
                out.add(
                    "history",
                    text,
                    category=category,
                    special_type=special,
                    severity=severity,
                    department=department or _department(category, special),
                )
    return out
