"""Reviews of a plan, and the reminders that keep people's actions and readings up to date."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from improveplan.limits import LONG_TEXT, NOTE
from improveplan.models import Membership, Plan
from improveplan.text import one_line


class Review(models.Model):
    """A plan's review meeting for one period (a calendar quarter by default)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    period_start = models.DateField("period starts")
    period_end = models.DateField("period ends")
    meets_on = models.DateField("meeting date")
    attendees = models.TextField(
        blank=True, help_text="Who took part, one a line.", max_length=NOTE
    )
    lessons_learned = models.TextField(blank=True, max_length=LONG_TEXT)
    actions_checked = models.ManyToManyField(
        "actions.Action", related_name="reviews_checked", blank=True
    )
    # The plan's risks when the review was opened, so the next one can tell which are new.
    known_risks = models.JSONField(default=list, blank=True, editable=False)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_id", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period_start"], name="one_review_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")),
                name="review_period_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.plan}, {self.period_start:%d %b %Y} to {self.period_end:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:review", args=[self.pk])

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class ReminderPreference(models.Model):
    """How one person wants their reminders. Without a row: daily, every kind."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Every working day"
        WEEKLY = "weekly", "Once a week, on Mondays"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    # Overdue actions are always included: they are the one thing nobody should miss.
    due_soon = models.BooleanField("actions due soon", default=True)
    missing_updates = models.BooleanField("actions waiting for this quarter's update", default=True)
    readings_due = models.BooleanField(
        "readings due for my organisation's indicators", default=True
    )
    reviews = models.BooleanField("reviews coming up", default=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"Reminders for {self.user}: {self.get_frequency_display().lower()}"


class DigestClaimQuerySet(models.QuerySet):
    def failed(self) -> DigestClaimQuerySet:
        return self.filter(status=DigestClaim.Status.FAILED)

    def of_partnership(self, partnership) -> DigestClaimQuerySet:
        """Emails to the partnership's members that are its own: their daily digests (which
        may also hold another partnership's actions) and reminders about its own plans, never
        a reminder about another partnership's plan."""
        return self.filter(user__memberships__partnership=partnership).filter(
            Q(plan__isnull=True) | Q(plan__partnership=partnership)
        )


class DigestClaim(models.Model):
    """One email to one person for one day and purpose, claimed before it is sent.

    The unique constraint is what makes a reminder go once: whoever inserts the row sends,
    and a second scheduler, a retry or a restarted worker finds it taken. A row left
    ``claimed`` by a worker that died (after ``REMINDER_STALE_MINUTES``) or ``waiting`` after
    a passing failure is taken over by a later run, that day or the next; one still unsent
    after that is given up (``failed``, with the reason in ``last_error``).
    """

    DIGEST = "digest"  # the key of the daily digest; one-off reminders have their own

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed, not sent yet"
        SENT = "sent", "Sent"
        NOTHING = "nothing", "Nothing to send by the time it was sent"
        # The mail server failed for the moment (or the task queue did not answer): the
        # next reminder run, that day or the next, tries again.
        WAITING = "waiting", "Waiting for the next run"
        # The server was given the whole message but did not confirm it: it may have been
        # delivered, so it is not sent again by itself.
        UNCERTAIN = "uncertain", "Delivery uncertain"
        REPLACED = "replaced", "Replaced by the next day's digest"
        FAILED = "failed", "Failed"  # refused for good, or given up: last_error says why

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_claims"
    )
    day = models.DateField()
    key = models.CharField(max_length=40, default=DIGEST)
    # A one-off reminder about one plan names it; the daily digest covers every plan.
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLAIMED)
    token = models.CharField(max_length=32, help_text="Which run holds the claim.")
    claimed_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, max_length=NOTE)
    # What the email says, built with everyone's at the run that claimed it (or took it
    # over), so that sending does not build it again; empty in rows from before.
    content = models.JSONField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DigestClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "key"], name="one_digest_per_day_and_key"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "claimed",
                        "sent",
                        "nothing",
                        "waiting",
                        "uncertain",
                        "replaced",
                        "failed",
                    ]
                ),
                name="digest_claim_status_is_known",
            ),
        ]
        indexes = [
            # A run's take-over of rows still claimed or waiting, and send_reminders --status.
            models.Index(fields=["status", "claimed_at"], name="digest_claim_status_at"),
        ]

    def __str__(self) -> str:
        return f"{self.key} for {self.user_id} on {self.day}: {self.get_status_display()}"


class ReviewSchedule(models.Model):
    """How often a plan is reviewed. Without a row: every quarter."""

    class Every(models.IntegerChoices):
        QUARTER = 3, "Every quarter"
        HALF_YEAR = 6, "Every six months"
        YEAR = 12, "Every year"

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="review_schedule")
    months = models.PositiveSmallIntegerField(
        "how often", choices=Every.choices, default=Every.QUARTER
    )

    class Meta:
        ordering = ["plan_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__in=[3, 6, 12]), name="review_schedule_months_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_months_display().lower()}"


class BoardPack(models.Model):
    """Who receives a plan's board papers before each review meeting (the board report of the
    review's quarter and the decisions needed), and how many days before. Without a row: every
    board member of the partnership, ``DEFAULT_DAYS`` before."""

    DEFAULT_DAYS = 7
    MAX_DAYS = 60

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="board_pack")
    days_before = models.PositiveSmallIntegerField(
        "days before the meeting",
        default=DEFAULT_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
        help_text=f"From 1 to {MAX_DAYS}. The papers go on the first reminder run of that day.",
    )
    board_members = models.BooleanField(
        "every board member of the partnership",
        default=True,
        help_text="Whoever is a board member when the papers go.",
    )
    others = models.ManyToManyField(
        Membership, blank=True, related_name="+", verbose_name="and these members"
    )

    class Meta:
        ordering = ["plan_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days_before__gte=1, days_before__lte=60),
                name="board_pack_days_one_to_sixty",
            ),
        ]

    def __str__(self) -> str:
        return f"Board papers of {self.plan}, {self.days_before} days before"


class OutcomeJudgement(models.Model):
    """The review's judgement on one outcome and its indicators."""

    class Rating(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="judgements")
    outcome = models.ForeignKey(
        "outcomes.Outcome", on_delete=models.CASCADE, related_name="review_judgements"
    )
    rating = models.CharField(max_length=10, choices=Rating.choices)
    note = models.TextField("why, and what the indicators say", blank=True, max_length=LONG_TEXT)

    class Meta:
        ordering = ["review_id", "outcome__priority", "outcome_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "outcome"], name="one_judgement_per_outcome_and_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.get_rating_display()}"


class Decision(models.Model):
    """What a review decided, linked to the actions and outcomes it affects."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField("the decision", max_length=LONG_TEXT)
    taken_on = models.DateField("taken on")
    outcomes = models.ManyToManyField(
        "outcomes.Outcome", related_name="decisions", blank=True, verbose_name="outcomes it affects"
    )
    actions = models.ManyToManyField(
        "actions.Action", related_name="decisions", blank=True, verbose_name="actions it affects"
    )

    class Meta:
        ordering = ["review_id", "taken_on", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Correction(models.Model):
    """A change to a reading of a period a signed-off review closed: who, why, what."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="corrections")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=300)
    reason = models.TextField(max_length=NOTE)

    class Meta:
        ordering = ["-made_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.what} ({self.made_at:%Y-%m-%d})"


class HealthCheck(models.Model):
    """How the partnership itself works, scored by its members (yearly by default)."""

    partnership = models.ForeignKey(
        "improveplan.Partnership", on_delete=models.CASCADE, related_name="health_checks"
    )
    title = models.CharField(
        validators=[one_line], max_length=100, help_text="E.g. Health check 2026."
    )
    opened_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership_id", "-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "title"], name="health_check_title_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:health_check", args=[self.pk])


class HealthScore(models.Model):
    """One member's score (1–5) and comment on one ingredient."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="scores")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ingredient = models.CharField(max_length=20)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=NOTE)

    class Meta:
        ordering = ["health_check_id", "ingredient", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["health_check", "user", "ingredient"],
                name="one_score_per_member_and_ingredient",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="health_score_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ingredient}: {self.score}"


class PeerReviewerQuerySet(models.QuerySet):
    def live(self) -> PeerReviewerQuerySet:
        """Accepted, not revoked and not yet expired: these reviewers may read their plan."""
        return self.filter(
            user__isnull=False, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class PeerReviewer(models.Model):
    """Someone from outside the partnership invited to challenge one plan: they may read it,
    and only it, until their invitation expires, and answer the peer challenge questions."""

    DEFAULT_DAYS = 30
    MAX_DAYS = 90

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="peer_reviewers")
    email = models.EmailField("email address")
    name = models.CharField(validators=[one_line], max_length=150)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="peer_reviews",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # When the last email of the link failed; inviting again sends it (peer_reviewer_invite).
    send_failed_at = models.DateTimeField(null=True, blank=True)

    objects = PeerReviewerQuerySet.as_manager()

    class Meta:
        ordering = ["plan_id", "-created_at", "-pk"]
        indexes = [
            # access.peer_grant: a signed-in person's live grant on one plan.
            models.Index(fields=["user", "plan"], name="peer_reviewer_user_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_live(self) -> bool:
        return self.user_id is not None and self.revoked_at is None and not self.is_expired

    @property
    def link_works(self) -> bool:
        """The emailed link: once, until it expires, unless revoked."""
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        if self.accepted_at is None:
            return "not_sent" if self.send_failed_at else "invited"
        return "submitted" if self.submitted_at else "reviewing"


class PeerAnswer(models.Model):
    """A peer reviewer's answer to one question (``reviews.peer`` keys: ``<step>-<slug>``)."""

    reviewer = models.ForeignKey(PeerReviewer, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=40)
    text = models.TextField(max_length=LONG_TEXT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reviewer_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "question"], name="one_peer_answer_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.text[:40]}"
