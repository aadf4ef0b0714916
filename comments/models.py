"""Comments on the items of a plan: its outcomes, indicators, actions and reviews."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from improveplan.limits import NOTE
from improveplan.models import Plan

# The kinds of item a comment may be on: each is a foreign key of Comment, by this name.
KINDS = ("outcome", "indicator", "action", "review")


def _on_one(kind: str) -> Q:
    return Q(**{f"{other}__isnull": other != kind for other in KINDS})


class CommentQuerySet(models.QuerySet):
    def on(self, kind: str, thing) -> CommentQuerySet:
        return self.filter(**{kind: thing})

    def thread(self) -> CommentQuerySet:
        """Oldest first, with what the page shows of each (two queries however many)."""
        return (
            self.select_related("author", "hidden_by")
            .prefetch_related(Prefetch("mentioned", to_attr="mentioned_people"))
            .order_by("created_at", "pk")
        )


class Comment(models.Model):
    """What a member wrote about one item of a plan, or in reply to a comment on it.

    Plain text: links and mentions ("@Pat Partner") are found when it is shown, everything
    else escaped. Its author may change it for ``EDITABLE_FOR``; a lead may hide it with a
    reason. Either way the history of changes keeps what it said, and who changed it."""

    EDITABLE_FOR = timedelta(minutes=15)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    outcome = models.ForeignKey(
        "outcomes.Outcome", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    indicator = models.ForeignKey(
        "outcomes.Indicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    action = models.ForeignKey(
        "actions.Action", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    # A reply belongs to the comment that starts its thread (threads are one level deep).
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=NOTE)
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField("why it is hidden", blank=True, max_length=NOTE)

    history = HistoricalRecords()
    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_on_one("outcome")
                | _on_one("indicator")
                | _on_one("action")
                | _on_one("review"),
                name="comment_on_one_item",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="hidden_comment_has_a_reason",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="comment_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.author or 'A former member'}: {self.text[:60]}"

    @property
    def kind(self) -> str:
        return next(kind for kind in KINDS if getattr(self, f"{kind}_id") is not None)

    @property
    def item_id(self) -> int:
        return getattr(self, f"{self.kind}_id")

    def people_mentioned(self) -> list:
        """Those it mentions: as prefetched for a list (``thread()``), or read now."""
        found = getattr(self, "mentioned_people", None)
        return found if found is not None else list(self.mentioned.all())

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def editable_until(self):
        return self.created_at + self.EDITABLE_FOR

    def may_be_edited_by(self, user, *, now=None) -> bool:
        """Its author, while it is new and shown."""
        now = now or timezone.now()
        return (
            user.pk is not None
            and self.author_id == user.pk
            and not self.is_hidden
            and now < self.editable_until()
        )
