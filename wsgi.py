"""WSGI entry point: ``flask --app wsgi …`` and ``gunicorn wsgi:app``."""

import gc

from booking import create_app

app = create_app()
# Everything built at start-up lives as long as the process: keep it out of the garbage
# collector's full passes, which otherwise take tens of milliseconds on a request's hot path.
gc.freeze()
