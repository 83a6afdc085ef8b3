"""WSGI entry point: `complaintflow web` serves it with Granian; any WSGI server can (`app.wsgi:app`)."""
from . import create_app

app = create_app()
