"""Managers' commands: `verify` re-checks the audit chains, `generate-demo` makes history at scale,
`rebuild-reports` recounts the dashboard's roll-ups."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext


def _rt():
    return current_app.extensions["complaintflow"]


@click.command("verify")
@click.option("--instance", "instance_id", type=int, help="check one instance (default: every instance)")
@with_appcontext
def verify_command(instance_id: int | None):
    """Re-check the audit trail's hash chains; name the first broken event of each broken chain."""
    from .errors import NotFound
    from .services.audit.trail import verify_all, verify_instance

    if instance_id is not None:
        try:
            r = verify_instance(_rt(), instance_id)
        except NotFound as exc:
            raise click.ClickException(exc.detail) from exc
        if r["ok"]:
            click.echo(f"instance {instance_id}: {r['checked']} events, chain intact")
            return
        what = f" ({r['event_type']} at {r['event_at']})" if r["event_type"] else ""
        click.echo(f"instance {instance_id}: BROKEN at event {r['first_broken_seq']}{what}: {r['reason']}")
        raise SystemExit(1)
    from sqlalchemy import func, select

    from .models import ProcessInstance

    with _rt().db.read() as s:
        total = s.scalar(select(func.count()).select_from(ProcessInstance)) or 0
    started = time.perf_counter()
    with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
        result = verify_all(_rt(), progress=bar.update)
    took = time.perf_counter() - started
    for b in result.broken:
        what = f" ({b.event_type} at {b.event_at})" if b.event_type else ""
        click.echo(f"instance {b.instance_id}: BROKEN at event {b.check.first_broken_seq}{what}: {b.check.reason}")
    click.echo(
        f"{result.instances} instances, {result.events} events checked in {took:.1f} s: "
        + ("every chain intact" if result.ok else f"{len(result.broken)} broken")
    )
    if not result.ok:
        raise SystemExit(1)


@click.command("generate-demo")
@click.option("--complaints", "n", default=1000, show_default=True, type=click.IntRange(1), help="how many complaints")
@click.option("--days", default=180, show_default=True, type=click.IntRange(3), help="history over the last N days")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="end of the history (local day, default: now)")
@click.option(
    "--templates",
    default=1000,
    show_default=True,
    type=click.IntRange(1),
    help="complaints worked through the services before the last days; the rest replay them",
)
@click.option(
    "--live-days",
    default=2,
    show_default=True,
    type=click.IntRange(0),
    help="the last N days are worked entirely through the services",
)
@click.option("--seed", default=1, show_default=True, help="random seed: the same seed makes the same history")
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1), help="complaints per commit")
@click.option(
    "--workers",
    type=click.IntRange(0),
    help="processes building the replays while one writes (default: one per core from 10,000 replays; 0: none)",
)
@with_appcontext
def generate_demo_command(n, days, until, templates, live_days, seed, batch, workers):
    """Generate realistic complaint history through the real services (demo users, processes/ deployed)."""
    from .domain.clock import OPERATOR_ZONE
    from .demo.history import generate_history
    from .migrate import upgrade

    settings = dict(current_app.config)
    upgrade(_rt().db)
    end = (
        datetime.combine(until.date(), datetime.min.time(), OPERATOR_ZONE) + timedelta(days=1)
        if until
        else _rt().clock.now()
    )
    start = end - timedelta(days=days)
    t0 = time.perf_counter()
    with click.progressbar(length=n, label=f"generating {n} complaints", file=sys.stderr) as bar:
        stats = generate_history(
            settings,
            n,
            start,
            end,
            seed=seed,
            batch=batch,
            templates=templates,
            live_days=live_days,
            workers=workers,
            progress=bar.update,
        )
    took = time.perf_counter() - t0
    click.echo(
        f"{stats.complaints} complaints through the services in {stats.services_seconds:.1f} s "
        f"({stats.complaints / max(stats.services_seconds, 1e-9):.1f}/s; {stats.completed_tasks} tasks completed, "
        f"{stats.fired_timers} timers fired, {stats.suspended} suspended, {stats.still_open} still open)"
    )
    if stats.replayed:
        click.echo(
            f"{stats.replayed} replayed from the finished ones in {stats.replay_seconds:.1f} s "
            f"({stats.replayed / max(stats.replay_seconds, 1e-9):.0f}/s; of it indexes made again "
            f"{stats.index_seconds:.1f} s, analysed {stats.analyse_seconds:.1f} s); roll-ups recounted in "
            f"{stats.rollup_seconds:.1f} s"
        )
    click.echo(
        f"total {stats.complaints + stats.replayed} complaints in {took:.1f} s "
        f"({(stats.complaints + stats.replayed) / took:.0f}/s) from {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    )


@click.command("rebuild-reports")
@with_appcontext
def rebuild_reports_command():
    """Recount the dashboard's daily roll-ups from the complaints and tasks (a repair; the services keep them)."""
    from sqlalchemy import func, select

    from .models import Complaint
    from .services.reporting.rebuild import rebuild

    with _rt().db.read() as s:
        total = s.scalar(select(func.count()).select_from(Complaint)) or 0
    started = time.perf_counter()
    with click.progressbar(length=total, label="recounting", file=sys.stderr) as bar, _rt().db.write() as s:
        done = rebuild(s.connection(), progress=bar.update)
    click.echo(
        f"{done.complaints} complaints and {done.tasks} completed tasks recounted in "
        f"{time.perf_counter() - started:.1f} s: {done.day_rows} day rows, {done.step_rows} step rows"
    )


COMMANDS = (verify_command, generate_demo_command, rebuild_reports_command)
