"""The partnership core: people, partnerships, their member bodies and plans."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from improveplan.limits import LONG_TEXT, NOTE
from improveplan.text import one_line


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> User:
        # People type their address in any case; it is one account.
        return self.get(email__iexact=email)

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. They sign in with their email address."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(validators=[one_line], max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "site administrator", default=False, help_text="May sign in to the admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # How many of their notifications are unread, kept beside the account so that the bell on
    # every page costs no query; only improveplan/notifications.py changes it.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_any_case"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class PartnershipQuerySet(models.QuerySet):
    def for_user(self, user) -> PartnershipQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Partnership(models.Model):
    name = models.CharField(validators=[one_line], max_length=200, unique=True)
    description = models.TextField(blank=True, max_length=LONG_TEXT)
    created_at = models.DateTimeField(auto_now_add=True)
    # A lead may ask every member to sign in with a second factor (improveplan/two_factor.py).
    require_two_factor = models.BooleanField(
        "members must sign in with an authenticator app", default=False
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("improveplan:partnership", args=[self.pk])


class Organisation(models.Model):
    """A member body of a partnership: a council, a health trust, a charity."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Local council"
        HEALTH = "health", "Health body"
        POLICE = "police", "Police"
        FIRE = "fire", "Fire and rescue"
        HOUSING = "housing", "Housing"
        EDUCATION = "education", "School or college"
        VOLUNTARY = "voluntary", "Voluntary or community sector"
        CARE = "care", "Care provider"
        BUSINESS = "business", "Business"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(validators=[one_line], max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "partnership", Lower("name"), name="organisation_name_unique_in_partnership"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a member may do inside one partnership."""

    LEAD = "lead", "Lead"
    PARTNER = "partner", "Partner"
    BOARD = "board", "Board member"

    @property
    def manages(self) -> bool:
        """Leads run the partnership: members, plans, everything in it."""
        return self == Role.LEAD

    @property
    def description(self) -> str:
        return {
            Role.LEAD: "Builds and edits plans, invites members and runs reviews.",
            Role.PARTNER: "Reads the plans and updates what their organisation owns.",
            Role.BOARD: "Reads dashboards and reports, and signs off reviews.",
        }[self]


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    # RESTRICT, not PROTECT: an organisation with members can't be deleted on its own,
    # but deleting the whole partnership takes both.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.RESTRICT, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"], name="one_membership_per_partnership"
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="membership_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.partnership}"

    @property
    def manages(self) -> bool:
        return Role(self.role).manages


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        """Neither accepted nor cancelled (it may have expired)."""
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True)


class Invitation(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("email address")
    role = models.CharField(max_length=10, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the last email of the link failed; it may be sent again (services.invitation_create).
    send_failed_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "partnership",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="one_pending_invitation_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.partnership}"

    @staticmethod
    def expiry_from(moment) -> timezone.datetime:
        return moment + timedelta(days=settings.INVITATION_VALID_DAYS)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and not self.is_expired


class Plan(models.Model):
    class Method(models.TextChoices):
        FIVE_STEPS = "five_steps", "Five Steps to Better Outcomes"
        RBA = "rba", "Results-Based Accountability"
        LEAP = "leap", "LEAP"
        FUTURE_BASING = "future_basing", "Future-basing"
        CARE_SERVICE = "care_service", "Care-service action plan"

    class ExpectedRating(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREED = "agreed", "Agreed"
        ARCHIVED = "archived", "Archived"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(validators=[one_line], max_length=200)
    period_start = models.DateField("period starts")
    period_end = models.DateField("period ends")
    vision = models.TextField(
        blank=True,
        help_text="Where the partnership wants to be by the end of the plan.",
        max_length=LONG_TEXT,
    )
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.FIVE_STEPS)
    vision_date = models.DateField(
        null=True,
        blank=True,
        help_text="Future-basing: the day the vision describes, as if it had already come.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The seeds ask for few outcomes and few indicators: the plan warns beyond these.
    outcome_limit = models.PositiveSmallIntegerField(
        "most outcomes", default=7, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    indicator_limit = models.PositiveSmallIntegerField(
        "most indicators for an outcome",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    # Public health profiles call a trend a trend only with at least five points.
    trend_minimum_points = models.PositiveSmallIntegerField(
        "fewest readings for a trend",
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(20)],
        help_text="With fewer, a status says it is based on only a few readings.",
    )
    # Action references (A-01, A-02…) are never reused, even after a deletion.
    last_action_number = models.PositiveIntegerField(default=0, editable=False)
    # Issue 24: the plan's frame. What it covers and what it leaves out (CQC: the scope).
    scope = models.TextField(
        "scope",
        blank=True,
        max_length=LONG_TEXT,
        help_text="What the plan covers, and what it leaves out.",
    )
    # For a care-service plan: the result it aims at, by when, and who manages it.
    expected_rating = models.CharField(
        "rating we expect at re-inspection",
        max_length=25,
        choices=ExpectedRating.choices,
        blank=True,
    )
    reinspection_date = models.DateField("expected re-inspection", null=True, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_plans",
        verbose_name="manages the plan",
        help_text="The named person who manages the plan day to day.",
    )
    smart_exception_reason = models.TextField(
        "why the plan may be agreed with actions that are not yet SMART",
        blank=True,
        max_length=LONG_TEXT,  # the form takes 5,000
    )
    # Issue 24: next year's plan is copied forward from this year's, and a template starts
    # a plan; each new plan remembers where it came from.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name="copied forward from",
    )
    started_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="started_plans",
        verbose_name="started from the template",
    )
    is_template = models.BooleanField(
        "one of the partnership's templates",
        default=False,
        help_text="Its outcomes, indicators and criteria may start a new plan.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The save time and the action counter say nothing a reader of the history needs.
    history = HistoricalRecords(excluded_fields=["updated_at", "last_action_number"])

    class Meta:
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")),
                name="plan_period_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "agreed", "archived"]),
                name="plan_status_is_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improveplan:plan", args=[self.pk])

    def sharing_plan_ids(self) -> list[int]:
        """This plan and the plans it shares readings with: the one it was copied forward
        from and those copied forward from it (one query). Kept parts showing its readings
        are kept under all their stamps."""
        later = Plan.objects.filter(carried_from_id=self.pk).values_list("pk", flat=True)
        return [self.pk, *([self.carried_from_id] if self.carried_from_id else []), *later]


class PlanVersion(models.Model):
    """What a plan said when a lead agreed it: v1, v2… Frozen as data, so later edits and
    deletions never change what was agreed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # Outcomes, indicators, targets and actions with their owners, dates and milestones,
    # as improveplan.versions.snapshot() wrote them.
    snapshot = models.JSONField()
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    agreed_at = models.DateTimeField()
    smart_exception_reason = models.TextField(blank=True, max_length=LONG_TEXT)

    class Meta:
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("improveplan:plan_version", args=[self.plan_id, self.number])


class SignUp(models.Model):
    """A member organisation's confirmation of its part in an agreed version of a plan (its
    actions and the resources it puts in), by a named person of that organisation. Each
    version is signed up to afresh: agreeing the plan again asks every organisation again."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="sign_ups")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sign_ups"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The named person as they were when they confirmed, kept if their account goes.
    name = models.CharField(validators=[one_line], max_length=150)
    job_title = models.CharField(
        "your role",
        max_length=150,
        validators=[one_line],
        help_text="E.g. Director of Public Health: someone who may commit the organisation.",
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version_id", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "organisation"], name="one_sign_up_per_organisation_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} signed up to {self.version} ({self.name})"


class SecurityEvent(models.Model):
    """The security log: who did what, when, from where. Read by site administrators."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
        ACCESS_REFUSED = "access_refused", "Refused access"
        ROLE_CHANGED = "role_changed", "Role or organisation changed"
        MEMBER_REMOVED = "member_removed", "Member removed"
        MEMBER_JOINED = "member_joined", "Member joined"
        EXPORT = "export", "Data exported"
        IMPORT = "import", "Data imported"
        TWO_FACTOR = "two_factor", "Two-factor sign-in changed"
        TOKEN = "token", "API token created or revoked"
        PUBLISHED = "published", "Plan published or unpublished"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it, when they were signed in.",
    )
    email = models.CharField(
        max_length=254, blank=True, help_text="The address given, for sign-ins."
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.TextField(blank=True, max_length=NOTE)
    # Repeated refusals of one person are folded into one row per window (security.record).
    count = models.PositiveIntegerField(default=1, help_text="How many times, within the window.")
    last_at = models.DateTimeField(null=True, blank=True, help_text="The last time, if repeated.")

    class Meta:
        ordering = ["-at"]
        indexes = [
            # The admin's list: newest first, filtered by kind.
            models.Index(fields=["kind", "-at"], name="security_event_kind_at"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} – {self.email or self.user_id} at {self.at:%Y-%m-%d %H:%M}"
        )


class SentForm(models.Model):
    """A form's one-time token, claimed when what the form sent is saved: the same form sent
    again (a double click, Back and save again) finds its token taken and saves nothing.
    improveplan/once.py writes and reads these."""

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    # Where the form sent it, to say what was saved when it comes again.
    path = models.CharField(max_length=300)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.path} at {self.sent_at:%Y-%m-%d %H:%M}"


class Stamp(models.Model):
    """A number that changes, in the same commit, with every change to what the pages of one
    plan (or of one of its indicators: ``scope`` names the model) show. Written only by the
    database triggers improveplan/stamps.py installs; read by the pages that keep what they
    computed (improveplan/kept.py). An id, not a foreign key: a stamp may outlive its plan."""

    scope = models.CharField(max_length=60)  # a model's label, such as "improveplan.plan"
    key = models.BigIntegerField()
    value = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="stamp_once")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.value}"


class StampPending(models.Model):
    """What a transaction has changed so far (PostgreSQL only), with how many statements
    changed each: visible to that transaction alone, turned into a new Stamp value as it
    commits. So a stamp is written at commit, never held locked while the transaction works."""

    xact = models.BigIntegerField()
    scope = models.CharField(max_length=60)
    key = models.BigIntegerField()
    changes = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["xact", "scope", "key"], name="stamp_pending_once")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} in transaction {self.xact}"


class Notification(models.Model):
    """Something that needs one person's attention, under the bell on every page; emailed at
    once or in the daily digest as they chose for its kind (improveplan/notifications.py)."""

    class Kind(models.TextChoices):
        MENTION = "mention", "Someone mentions you in a comment"
        REPLY = "reply", "Someone replies to your comment"
        COMPLETION_ANSWERED = (
            "completion_answered",
            "A lead confirms your action complete, or sends it back",
        )
        DUE_DATE_ANSWERED = "due_date_answered", "A lead answers your request for a new due date"
        COMPLETION_WAITING = (
            "completion_waiting",
            "An action marked complete waits for a lead (leads only)",
        )
        REVIEW = "review", "A review of a plan is opened or signed off"
        REPORT_READY = "report_ready", "A report you asked for is ready"

    class Channel(models.TextChoices):
        SITE = "site", "On the site only"
        AT_ONCE = "at_once", "By email at once"
        DIGEST = "digest", "In my daily email digest"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # How it reaches the person, as they chose for its kind when it was made.
    channel = models.CharField(max_length=10, choices=Channel.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="A page of this site: where to look.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "mention",
                        "reply",
                        "completion_answered",
                        "due_date_answered",
                        "completion_waiting",
                        "review",
                        "report_ready",
                    ]
                ),
                name="notification_kind_is_known",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["site", "at_once", "digest"]),
                name="notification_channel_is_known",
            ),
        ]
        indexes = [
            # The person's list under the bell, newest first.
            models.Index(fields=["user", "-created_at"], name="notification_user_created"),
            # The reminder run: a day's notifications to email, at once or in the digest.
            models.Index(fields=["channel", "created_at"], name="notification_channel_created"),
        ]

    def __str__(self) -> str:
        return f"{self.text} (to {self.user_id}, {self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """How one person wants one kind of notification. Without a row: the kind's default
    (improveplan.notifications.DEFAULT_CHANNELS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    channel = models.CharField(max_length=10, choices=Notification.Channel.choices)

    class Meta:
        ordering = ["user_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
            models.CheckConstraint(
                condition=Q(channel__in=["site", "at_once", "digest"]),
                name="notification_preference_channel_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} – {self.get_channel_display()}"
