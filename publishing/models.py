"""A plan published as a public web page, and the sites that may embed its charts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from improveplan.models import Plan


class Publication(models.Model):
    """While this row exists the plan's public page is up; deleting it takes the page down."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="publication")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    # Origins (https://www.example.org), one a line, as embed.origins() checked them.
    embed_sites = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.plan} (public since {self.published_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("publishing:plan", args=[self.plan_id])

    @property
    def origins(self) -> list[str]:
        return [line for line in self.embed_sites.split() if line]
