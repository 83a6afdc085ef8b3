"""Commands of the text features: `classifier evaluate|train|synth-corpus`, `import-history`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .errors import ServiceError


def _rt():
    return current_app.extensions["complaintflow"]


@click.group("classifier")
def classifier_group():
    """The complaint-text classifier: evaluate on a file, train a new version, write a synthetic corpus."""


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    """Texts and labels of a CSV/XLSX file with a text and a label column (the file's own labels)."""
    from .domain.text_intelligence.history_file import check

    checked = check(path.name, path.read_bytes(), taxonomy="own")
    if checked.errors:
        lines = [f"row {e['row']}, {e['field']}: {e['message']}" for e in checked.errors[:20]]
        raise click.ClickException("the file is refused:\n  " + "\n  ".join(lines))
    return [r["text"] for r in checked.rows], [r["label"] for r in checked.rows]


@classifier_group.command("evaluate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--folds", default=5, show_default=True, help="stratified folds")
@click.option("--json", "as_json", is_flag=True, help="print the figures as JSON")
def evaluate_command(file: Path, folds: int, as_json: bool):
    """Stratified k-fold accuracy, macro-F1, per-class precision/recall and confusion matrix of FILE (text, label)."""
    from .domain.text_intelligence.evaluation import evaluate, report_text

    texts, labels = read_labelled(file)
    try:
        result = evaluate(texts, labels, folds=folds)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else report_text(result))


@classifier_group.command("train")
@with_appcontext
def train_command():
    """Train a new version from the cold-start set, imported history and agents' decisions; make it current."""
    from .services.text_intelligence.model_registry import train_version

    result = train_version(_rt(), "cli")
    ev = result["evaluation"] or {}
    click.echo(
        f"version {result['version']}: {result['trained_texts']} texts {result['sources']} in "
        f"{result['trained_seconds']} s"
        + (f"; held-out accuracy {ev['accuracy']:.3f}, macro-F1 {ev['macro_f1']:.3f}" if ev else "")
    )


@classifier_group.command("synth-corpus")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--per-label", default=300, show_default=True)
@click.option("--seed", default=19, show_default=True)
def synth_corpus_command(out: Path, per_label: int, seed: int):
    """Write the synthetic corpus (8 labels) as CSV with text and label columns."""
    from .domain.text_intelligence.synthetic import corpus

    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows(corpus(per_label, seed))
    click.echo(f"wrote {out}")


@click.command("import-history")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "mapping", multiple=True, help="the file's label = ours, e.g. --map 资费类=billing; repeat")
@click.option("--own-labels", is_flag=True, help="keep the file's labels as its own taxonomy (not learnt as ours)")
@click.option("--user", default="owner", show_default=True, help="the process owner the import is recorded for")
@with_appcontext
def import_history_command(file: Path, mapping: tuple[str, ...], own_labels: bool, user: str):
    """Import historical work orders (CSV/XLSX): all rows or, with any bad row, none (the report names them)."""
    from sqlalchemy import select

    from .models import User
    from .services.accounts.users import viewer_of
    from .services.text_intelligence import history_import

    rt = _rt()
    with rt.db.read() as s:
        found = s.scalars(select(User).where(User.username == user)).first()
        viewer = viewer_of(found) if found is not None else None
    if viewer is None:
        raise click.ClickException(f"no user {user}: name a process owner with --user")
    try:
        label_map = history_import.parse_label_map("\n".join(mapping))
        import_id = history_import.start(rt, viewer, file.name, label_map, "own" if own_labels else "ours")
        with click.progressbar(length=100, label="importing") as bar:
            done = [0]

            def progress(n, total):
                pct = int(100 * n / max(total, 1))
                bar.update(pct - done[0])
                done[0] = pct

            result = history_import.run(rt, import_id, file.name, file.read_bytes(), progress)
    except ServiceError as exc:
        raise click.ClickException(f"{exc.detail}: {getattr(exc, 'errors', '')}") from exc
    if result["status"] != "imported":
        lines = [f"row {e['row']}, {e['field']}: {e['message']}" for e in result["errors"][:50]]
        raise click.ClickException(
            f"refused, nothing imported ({len(result['errors'])} problems):\n  " + "\n  ".join(lines)
        )
    click.echo(f"imported {result['rows_done']} rows (import {result['id']})")


COMMANDS = (classifier_group, import_history_command)
