"""The Celery application: `celery -A config worker` runs the jobs of rankings.jobs.

Settings come from Django's, prefixed CELERY_ (config/settings.py, "Jobs")."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["rankings.jobs"])
