"""Stratified k-fold evaluation of the classifier on labelled texts: what ``classifier evaluate`` prints."""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from .classifier import train


def evaluate(texts: Sequence[str], labels: Sequence[str], folds: int = 5, seed: int = 0) -> dict[str, Any]:
    """Train on k-1 folds, predict the held-out fold, k times; return the pooled figures.

    Every text is predicted exactly once by a model that never saw it. A label with fewer texts than
    folds lowers the number of folds (at least 2), and the answer says how many were used.
    """
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    counts = Counter(labels)
    if len(counts) < 2:
        raise ValueError("at least two labels are needed")
    k = min(folds, min(counts.values()))
    if k < 2:
        rare = [label for label, n in counts.items() if n < 2]
        raise ValueError(f"each label needs at least 2 texts; too few: {', '.join(rare)}")
    y = np.asarray(labels)
    predicted = np.empty(len(y), dtype=object)
    for train_idx, test_idx in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        model = train([texts[i] for i in train_idx], {"label": [labels[i] for i in train_idx]})
        for i in test_idx:
            predicted[i] = model.predict(texts[i], top=1)["label"][0][0]
    return _figures(y, predicted.astype(str), sorted(counts), folds=k)


def report_text(result: dict[str, Any]) -> str:
    """The evaluation as plain text: headline figures, per-class table, confusion matrix (rows: true)."""
    lines = [
        f"texts {result['texts']}, stratified {result['folds']}-fold",
        f"accuracy {result['accuracy']:.3f}   macro-F1 {result['macro_f1']:.3f}",
        "",
        f"{'label':<16}{'precision':>10}{'recall':>10}{'f1':>8}{'n':>7}",
    ]
    for label, m in result["per_class"].items():
        lines.append(f"{label:<16}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>8.3f}{m['support']:>7}")
    labels = result["confusion"]["labels"]
    width = max(6, *(len(lab) for lab in labels)) + 1
    lines += [
        "",
        "confusion (rows: true, columns: predicted)",
        " " * 16 + "".join(f"{lab[: width - 1]:>{width}}" for lab in labels),
    ]
    for label, row in zip(labels, result["confusion"]["matrix"]):
        lines.append(f"{label:<16}" + "".join(f"{n:>{width}}" for n in row))
    return "\n".join(lines)


def evaluate_holdout(
    texts: Sequence[str], labels: Sequence[str], share: float = 0.2, seed: int = 0
) -> dict[str, Any] | None:
    """Train on 80 %, score the held-out 20 % (stratified): the figures stored beside each trained version.

    One split instead of five folds keeps a scheduled retraining to about 1.25 training runs; run
    ``classifier evaluate`` for the k-fold figures. None when a label has too few texts to split.
    """
    from sklearn.model_selection import train_test_split

    counts = Counter(labels)
    if len(counts) < 2 or min(counts.values()) < 2:
        return None
    idx = np.arange(len(texts))
    train_idx, test_idx = train_test_split(idx, test_size=share, stratify=list(labels), random_state=seed)
    model = train([texts[i] for i in train_idx], {"label": [labels[i] for i in train_idx]})
    y = np.asarray([labels[i] for i in test_idx])
    predicted = np.asarray([model.predict(texts[i], top=1)["label"][0][0] for i in test_idx])
    return _figures(y, predicted, sorted(counts), folds=1) | {"texts": len(texts), "held_out": len(test_idx)}


def _figures(y, predicted, order: list[str], folds: int) -> dict[str, Any]:
    p, r, f, support = precision_recall_fscore_support(y, predicted, labels=order, zero_division=0)
    return {
        "texts": len(y),
        "folds": folds,
        "accuracy": float(accuracy_score(y, predicted)),
        "macro_f1": float(f1_score(y, predicted, labels=order, average="macro", zero_division=0)),
        "per_class": {
            label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(support[i])}
            for i, label in enumerate(order)
        },
        "confusion": {"labels": order, "matrix": confusion_matrix(y, predicted, labels=order).tolist()},
    }
