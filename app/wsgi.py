"""WSGI entry point for gunicorn: `gunicorn app.wsgi:app`.

Imported in each worker after the fork (config/gunicorn.conf.py keeps preload_app off). The objects that
start-up made (modules, SQLAlchemy's and SpiffWorkflow's classes, the app: about 135,000) live as long as
the worker; ``gc.freeze()`` moves them out of the cyclic collector's generations, so its full passes,
which come every few hundred requests, walk what requests left behind instead of all of them (one pass
took 30-90 ms of the worker's CPU before; docs/performance.md, "Two workers against the thinnest app").
Garbage from start-up is collected first, so nothing collectable is frozen.
"""

import gc

from . import create_app
from .ops import log_start

app = create_app()
log_start(app)
gc.collect()
gc.freeze()
