"""Running in production: request ids, JSON logs, metrics, health and readiness, backups.

``init_app`` is called by create_app: it adds /healthz, /readyz and /metrics, the request id and
timing hooks, the metric counters on the write sessions, and the `backup` / `restore` commands.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    from . import health, logs, metrics, tracing

    db = app.extensions["complaintflow"].db
    logs.configure(app.config.get("LOG_FORMAT", "text"))
    tracing.init_app(app)
    metrics.install(db)
    app.register_blueprint(health.bp)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def log_start(app: Flask) -> None:
    """Log, once as a process starts serving or ticking, what the operator should act on."""
    import logging

    from ..services.sla.calendar_admin import startup_warning

    warning = startup_warning(app.extensions["complaintflow"])
    if warning:
        logging.getLogger("complaintflow.start").warning(warning)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Write a consistent backup of the database to PATH while the app keeps serving."""
    from .backup import BackupError, backup

    try:
        click.echo(backup(current_app.extensions["complaintflow"].db, path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@with_appcontext
def restore_command(path: Path, yes: bool):
    """Replace the database's content with the backup at PATH (stop app and scheduler processes first)."""
    from .backup import BackupError, restore

    rt = current_app.extensions["complaintflow"]
    target = rt.db.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {target} with {path}?", abort=True)
    try:
        click.echo(restore(rt.db, path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("run `complaintflow init-db` if this code is newer than the backup, then start the processes")
