"""WSGI entry point: `gunicorn config.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, pandas, openpyxl) lives as long as the worker.
# Moving it out of the cyclic collector's reach spares every full collection a walk over
# it: an .xlsx import allocates enough objects to trigger several (60–150 ms each, 5 ms
# once frozen; bench/README.md §4). Under gunicorn --preload it also keeps those pages
# shared between workers.
gc.freeze()
