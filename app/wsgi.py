"""WSGI entry point for gunicorn: `gunicorn app.wsgi:app`."""

from . import create_app
from .ops import log_start

app = create_app()
log_start(app)
