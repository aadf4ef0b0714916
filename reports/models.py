"""The reports themselves are files (reports/stored.py); the one row the app keeps is who is
waiting for a report being rendered in the background, to tell them when it is ready."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from improveplan.models import Plan


class ReportRequest(models.Model):
    """Someone who asked for a report while a worker renders it: told when it is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    # The kept file's name (reports.stored.name_for): a request of the same data, day and kind.
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="Where they asked for it.")
    asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="one_request_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.title} for {self.user_id}"
