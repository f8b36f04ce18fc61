"""The Celery app. Workers carry only short "drain the outbox now" messages and a beat tick."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workestra.settings")

app = Celery("workestra")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
