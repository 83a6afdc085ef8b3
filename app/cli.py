"""Command line: `complaintflow <command>` (or `flask --app app <command>`)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .errors import ServiceError


def _rt():
    return current_app.extensions["complaintflow"]


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema and the standard groups."""
    from .migrate import upgrade
    from .services.accounts.users import ensure_groups

    upgrade(_rt().db)
    ensure_groups(_rt())
    from .services.text_intelligence.model_registry import ensure_model

    ensure_model(_rt())  # the first classifier, from the cold-start set in config/ (a few seconds)
    click.echo(f"database ready: {_rt().db.engine.url.render_as_string(hide_password=True)}")


@click.command("deploy")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="make changed files current even over a version a process owner deployed")
@with_appcontext
def deploy_command(folder: Path | None, force: bool = False):
    """Deploy the diagrams of a folder (default: processes/) that changed since they were last deployed from it.

    A version a process owner deployed (browser or API) stays current: a changed file is stored as a
    version the owner can make current in the model library (or use --force).
    """
    from .services.process_models.deployment import deploy_directory

    try:
        for d in deploy_directory(_rt(), folder or Path(current_app.config["PROCESSES_DIR"]), force=force):
            click.echo(f"{d.process_id}: {_deploy_outcome(d)}")
    except ServiceError as exc:
        for err in getattr(exc, "errors", []):
            click.echo(f"  {err['message']}", err=True)
        raise click.ClickException(exc.detail) from exc


def _deploy_outcome(d) -> str:
    if d.held_for is None:
        return f"version {d.version}" + ("" if d.created else " (unchanged)")
    if d.created:
        return (
            f"version {d.version} stored from the changed files, NOT current: version {d.held_for} "
            f"deployed by a process owner stays current (make it current in the model library, or --force)"
        )
    return f"files unchanged since version {d.version}; version {d.held_for} stays current"


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Create the demo users (password demo1234)."""
    from .demo.users import seed_demo_users

    created = seed_demo_users(_rt())
    click.echo(f"demo users created: {', '.join(created) or 'none (all exist)'}")


@click.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="display name, e.g. 王芳")
@click.option("--group", "groups", multiple=True, required=True, help="group code; repeat for several")
@click.password_option()
@with_appcontext
def create_user_command(username, display_name, groups, password):
    """Create a user in one or more groups."""
    from .services.accounts.users import create_user

    try:
        create_user(_rt(), username, password, display_name, groups)
    except ServiceError as exc:
        raise click.ClickException(f"{exc.detail}: {getattr(exc, 'errors', '')}") from exc
    click.echo(f"user {username} created")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve_command(host, port):
    """Prepare the database, deploy processes/, seed demo users; serve with gunicorn and a timer process.

    Ctrl+C stops every process it started (app/ops/serve.py).
    """
    import os

    from .ops import serve

    ctx = click.get_current_context()
    ctx.invoke(init_db_command)
    ctx.invoke(deploy_command)
    ctx.invoke(seed_demo_command)
    app = current_app._get_current_object()
    env = serve.child_environment(os.environ, app.config, host, port, Path(app.instance_path))
    click.echo(f"complaintflow on http://{host}:{port}/  (sign in as agent / demo1234; Ctrl+C stops)")
    code = serve.run(env, echo=click.echo)
    if code:
        raise SystemExit(code)


def _stop(*_):
    raise KeyboardInterrupt


@click.command("scheduler")
@click.option("--once", is_flag=True, help="fire what is due now and exit (cron, catch-up)")
@with_appcontext
def scheduler_command(once: bool):
    """Run the timer tick in this process only (any number of these may run, on any hosts)."""
    import signal

    from .scheduler import run_blocking
    from .services.sla.timers import fire_due_timers

    if once:
        click.echo(f"fired {fire_due_timers(_rt())} timers")
        from .services.notifications.outbox import send_due
        from .services.surveys.progress import sample_open_complaints

        click.echo(f"in-progress surveys: {sample_open_complaints(_rt())['sent']} sent")
        click.echo(f"sent {send_due(_rt())} notifications")
        from .services.reporting import baseline_alerts, improvement_clock

        clock = improvement_clock.watch_due(_rt())
        click.echo(f"improvement actions: {clock['due_soon']} due soon, {clock['overdue']} overdue (督办)")
        click.echo(f"baseline alerts: {len(baseline_alerts.check_baselines(_rt()))} new")
        from .services.complaints.customer_evidence import remove_orphans

        click.echo(f"customer uploads never sent with a complaint: {remove_orphans(_rt())} removed")
        return
    # SIGTERM ends the process like Ctrl-C: a batch in progress rolls back and is claimed again.
    signal.signal(signal.SIGTERM, _stop)
    from .ops import log_start

    log_start(current_app._get_current_object())
    config = current_app.config
    click.echo(
        f"timer tick every {config['SCHEDULER_TICK_SECONDS']} s and at each timer's due instant (looking every"
        f" {config['SCHEDULER_POLL_SECONDS']} s); Ctrl-C stops"
    )
    run_blocking(current_app._get_current_object())


# The configuration files read at start-up; building the app checks each one and stops naming the
# file, the key and the allowed values (services/bootstrap.py), so this command only has to build it.
CONFIG_SETTINGS = (
    "SLA_POLICY",
    "FLOW_CONFIG",
    "NOTIFICATIONS_CONFIG",
    "DIAGRAM_RULES",
    "GROUP_ALIASES",
    "CONNECTORS_CONFIG",
    "TEXT_CONFIG",
    "SURVEYS_CONFIG",
)


@click.command("check-config")
@with_appcontext
def check_config_command():
    """Check the configuration files as a start would, without serving (a bad one stops with its key named)."""
    from .services.connectors import settings as connector_settings

    try:
        connector_settings(_rt())  # read on a service task's first call otherwise
    except (OSError, ValueError) as exc:  # tomllib's TOMLDecodeError is a ValueError
        raise click.ClickException(f"setting COMPLAINTFLOW_CONNECTORS_CONFIG: {exc}") from exc
    for name in CONFIG_SETTINGS:
        value = current_app.config.get(name)
        if value:
            click.echo(f"ok  {name}: {value}")
    click.echo("configuration ok")


COMMANDS = (
    init_db_command,
    deploy_command,
    seed_demo_command,
    create_user_command,
    serve_command,
    scheduler_command,
    check_config_command,
)


def init_app(app: Flask) -> None:
    for cmd in COMMANDS:
        app.cli.add_command(cmd)
    from . import cli_reports  # verify, generate-demo, rebuild-reports

    for cmd in cli_reports.COMMANDS:
        app.cli.add_command(cmd)
    from . import cli_text  # classifier evaluate/train/synth-corpus, import-history

    for cmd in cli_text.COMMANDS:
        app.cli.add_command(cmd)


def _create_app():
    from . import create_app

    return create_app()


def main() -> None:
    """Entry point of the `complaintflow` console script."""
    FlaskGroup(create_app=_create_app)(prog_name="complaintflow")
