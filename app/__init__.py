"""complaintflow: telecom complaint handling on BPMN. create_app() wires everything."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from flask import Flask


class ComplaintFlow(Flask):
    """Flask, remembering which hooks and views are plain functions.

    Flask asks ``ensure_sync`` about every hook, view and teardown function of every request (eight
    on an API call), and each asks ``inspect`` whether it is a coroutine function again. The answer
    never changes for a function; an ``async def`` one is still wrapped each time, as Flask does.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain_functions: set = set()

    def ensure_sync(self, func):
        try:
            if func in self._plain_functions:
                return func
        except TypeError:  # an unhashable callable: asked each time, as before
            return super().ensure_sync(func)
        wrapped = super().ensure_sync(func)
        if wrapped is func and len(self._plain_functions) < 10_000:
            self._plain_functions.add(func)
        return wrapped


def create_app(test_config: Mapping[str, Any] | None = None, clock=None) -> Flask:
    """Build the app: settings, database, engine runtime, blueprints, scheduler."""
    app = ComplaintFlow(__name__, instance_relative_config=True)
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
