"""complaintflow: telecom complaint handling on BPMN. create_app() wires everything."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None, clock=None) -> Flask:
    """Build the app: settings, database, engine runtime, blueprints, scheduler."""
    app = Flask(__name__, instance_relative_config=True)
    from .config import load_settings, resolve_secret_key

    settings = load_settings(Path(app.instance_path), test_config)
    settings["SECRET_KEY"] = resolve_secret_key(settings, testing=bool(settings.get("TESTING")))
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_UPLOAD_MB"] * 1024 * 1024

    from .services.bootstrap import build_runtime

    app.extensions["complaintflow"] = build_runtime(settings, clock=clock)

    from . import api, cli, ops

    app.json = api.StrictJsonProvider(app)
    app.register_blueprint(api.bp)
    cli.init_app(app)
    ops.init_app(app)
    from . import web  # a broken import here must stop start-up, not serve an app without pages

    web.init_app(app)
    if settings["SCHEDULER_ENABLED"]:
        from .scheduler import init_scheduler

        init_scheduler(app)
    return app
