"""Personal access tokens for the API: one person, one partnership, read or read-write.

The token itself is shown once, when it is made; only its SHA-256 digest is kept (a token is
32 random bytes, so a plain digest cannot be reversed by guessing), and its first characters,
so that its owner can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from improveplan.models import Partnership
from improveplan.text import one_line

PREFIX = "ipat_"  # ImprovePlan access token: secret scanners can look for it


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


class AccessTokenQuerySet(models.QuerySet):
    def live(self) -> AccessTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class AccessToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(
        validators=[one_line], max_length=100, help_text="What the token is for."
    )
    scope = models.CharField("access", max_length=10, choices=Scope.choices)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=["read", "read_write"]), name="access_token_scope_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def writes(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @classmethod
    def new_secret(cls) -> str:
        return PREFIX + secrets.token_urlsafe(32)
