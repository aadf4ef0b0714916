"""Steps 4–5 of the Five Steps: how will we get there, and what are we going to do now.

Options for each outcome are scored against the plan's weighted criteria; favoured options
become SMART actions with a lead organisation, a named owner, milestones and resources; the
partners who own an action post updates, which are its history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from improveplan.limits import LONG_TEXT, NOTE
from improveplan.models import Organisation, Plan, Role
from improveplan.text import one_line
from outcomes import trajectories
from outcomes.models import (
    Achievement,
    EffectFields,
    Evidence,
    Indicator,
    Outcome,
    Risk,
    effect_constraints,
)


class Criterion(models.Model):
    """What the plan's options are judged by, and how much each thing matters."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(validators=[one_line], max_length=120)
    description = models.CharField(max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="1 (matters a little) to 10 (matters most).",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan_id", "order", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="criterion_name_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=10), name="criterion_weight_one_to_ten"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Option(models.Model):
    class Kind(models.TextChoices):
        MORE = "more", "Do more"
        NEW = "new", "Do something new"
        BETTER = "better", "Do better"
        LESS = "less", "Do less"

    class Decision(models.TextChoices):
        UNDECIDED = "undecided", "Not decided"
        FAVOURED = "favoured", "Favoured"
        NOT_FAVOURED = "not_favoured", "Not favoured"

    class Plausibility(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="options")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEW)
    title = models.CharField(validators=[one_line], max_length=200)
    description = models.TextField(blank=True, max_length=LONG_TEXT)
    evidence = models.TextField(
        "evidence it will work",
        blank=True,
        help_text="Research, pilots elsewhere, local data.",
        max_length=LONG_TEXT,
    )
    cost = models.DecimalField("cost (£)", max_digits=12, decimal_places=2, null=True, blank=True)
    plausibility = models.CharField(
        max_length=10,
        choices=Plausibility.choices,
        blank=True,
        help_text="How likely it is to work here, given the evidence.",
    )
    is_pilot = models.BooleanField("a pilot", default=False)
    pilot_evaluation = models.TextField(
        "how the pilot will be evaluated", blank=True, max_length=LONG_TEXT
    )
    exit_plan = models.TextField(
        blank=True,
        help_text="For doing less: how the service will be wound down safely.",
        max_length=LONG_TEXT,
    )
    # Recorded at appraisal (CQC guide: think about risks and unintended consequences).
    risk_notes = models.TextField(
        "its risks",
        blank=True,
        help_text="What could go wrong if we choose it.",
        max_length=LONG_TEXT,
    )
    unintended_effects = models.TextField(
        blank=True,
        help_text="What else it might change, for better or worse, that we do not intend.",
        max_length=LONG_TEXT,
    )
    # Risks in the plan's register that would threaten it (outcomes.Risk lives below).
    risks = models.ManyToManyField(
        Risk, related_name="threatened_options", blank=True, verbose_name="risks in the register"
    )
    decision = models.CharField(max_length=15, choices=Decision.choices, default=Decision.UNDECIDED)
    decision_reason = models.TextField("why", blank=True, max_length=NOTE)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["outcome_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="option_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(decision="undecided") | ~Q(decision_reason=""),
                name="option_decision_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("actions:appraisal", args=[self.outcome_id]) + f"#option-{self.pk}"


class Score(models.Model):
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    note = models.CharField(max_length=300, blank=True)
    # Issue 24: who gave the score, so that a declared interest can flag it. Scores given
    # before this was recorded have none, and say so.
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="scored by",
    )

    class Meta:
        ordering = ["option_id", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["option", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=5), name="score_zero_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option} – {self.criterion}: {self.score}"


class ActionQuerySet(models.QuerySet):
    """Three words for where an action stands, each with one meaning everywhere (pages,
    reports, exports and emails read them from here or from the matching ``Action.is_*``):

    - **live**: not cancelled. Counted in a plan's number of actions and its resources
      committed, and listed in the delivery plan and the public summary. A completed or
      closed action is live: it is work the partnership did.
    - **open**: live and not closed by a lead. My actions and the action plan's "Open"
      filter list these; an action completed but waiting for a lead to confirm it is open.
    - **in progress**: open and not complete. Only these can be overdue, are chased by
      reminders, or count as a response to an indicator that is off track.
    """

    def live(self) -> ActionQuerySet:
        return self.exclude(status=Action.Status.CANCELLED)

    def open(self) -> ActionQuerySet:
        return self.live().exclude(closure=Action.Closure.CLOSED)

    def in_progress(self) -> ActionQuerySet:
        return self.open().exclude(status=Action.Status.COMPLETE)

    def overdue(self, today=None) -> ActionQuerySet:
        today = today or timezone.localdate()
        return self.in_progress().filter(due__lt=today)

    def awaiting_confirmation(self) -> ActionQuerySet:
        """Marked complete by their owners; a lead confirms it or sends it back."""
        return self.filter(closure=Action.Closure.AWAITING)

    def led_by(self, user) -> ActionQuerySet:
        """In the plans, not archived, of partnerships the person leads."""
        return self.filter(
            plan__partnership__memberships__user=user,
            plan__partnership__memberships__role=Role.LEAD,
        ).exclude(plan__status=Plan.Status.ARCHIVED)

    def key(self) -> ActionQuerySet:
        """Marked key for closer tracking (five steps: the actions the plan most depends on)."""
        return self.filter(is_key=True)

    def for_organisation(self, organisation_id: int) -> ActionQuerySet:
        """Actions an organisation leads or supports."""
        return self.filter(
            Q(lead_organisation_id=organisation_id)
            | Q(supporting_organisations__id=organisation_id)
        ).distinct()


class Action(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"
        CANCELLED = "cancelled", "Cancelled"

    class Term(models.TextChoices):
        QUICK_WIN = "quick_win", "Quick win"
        SHORT = "short", "Short term"
        LONG = "long", "Long term"

    class Closure(models.TextChoices):
        OPEN = "open", "Open"
        AWAITING = "awaiting", "Waiting for a lead to confirm it is complete"
        CLOSED = "closed", "Closed"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveIntegerField(editable=False)
    reference = models.CharField(max_length=12, editable=False)
    title = models.CharField(validators=[one_line], max_length=200)
    description = models.TextField(blank=True, max_length=LONG_TEXT)
    outcomes = models.ManyToManyField(Outcome, related_name="actions", blank=True)
    option = models.ForeignKey(
        Option,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="the option it came from",
    )
    # Step 2's "what don't we know yet?": the information gap this action was made to fill.
    source_gap = models.ForeignKey(
        Evidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gap_actions",
        limit_choices_to={"kind": "gap"},
        verbose_name="the information gap it came from",
    )
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.RESTRICT, related_name="led_actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
        help_text="A named person in the lead organisation.",
    )
    supporting_organisations = models.ManyToManyField(
        Organisation, related_name="supported_actions", blank=True
    )
    start = models.DateField(null=True, blank=True)
    due = models.DateField(null=True, blank=True)
    term = models.CharField(max_length=10, choices=Term.choices, default=Term.SHORT)
    resource_amount = models.DecimalField(
        "resources (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    resource_provider = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="provided by",
    )
    staff_time = models.CharField(max_length=200, blank=True, help_text="E.g. 0.5 FTE for a year.")
    expected_outputs = models.TextField(
        blank=True, help_text="What will be delivered.", max_length=LONG_TEXT
    )
    expected_outcomes = models.TextField(
        blank=True, help_text="What difference it will make.", max_length=LONG_TEXT
    )
    success_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="indicator that measures success",
    )
    success_measure = models.CharField(
        "or a stated measure of success",
        max_length=300,
        blank=True,
        help_text="With a number to reach, e.g. 400 households helped by March 2027.",
    )
    monitoring = models.TextField(
        "how it will be monitored and evaluated", blank=True, max_length=LONG_TEXT
    )
    corporate_plan_ref = models.CharField(
        "partner's corporate plan reference", max_length=100, blank=True
    )
    is_key = models.BooleanField(
        "a key action",
        default=False,
        help_text="Tracked more closely: listed first in the board report, and its owner is "
        "reminded of it every week.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        "progress (%)", default=0, validators=[MaxValueValidator(100)]
    )
    closure = models.CharField(max_length=10, choices=Closure.choices, default=Closure.OPEN)
    completion_evidence = models.TextField(blank=True, max_length=LONG_TEXT)
    lessons_learned = models.TextField(blank=True, max_length=LONG_TEXT)
    returned_reason = models.TextField(
        blank=True,
        help_text="Why a lead sent a completed action back, the last time.",
        max_length=NOTE,
    )
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, related_name="dependants", blank=True
    )
    # The risks in the plan's register that threaten it.
    risks = models.ManyToManyField(Risk, related_name="threatened_actions", blank=True)
    # Future-basing (issue 24): the achievements on the vision date this action leads to.
    achievements = models.ManyToManyField(
        Achievement, related_name="actions", blank=True, verbose_name="leads to the achievements"
    )
    # Issue 24: an open action carried into next year's plan carries on this one.
    continues = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name="carries on",
    )
    # Bumped on every save: a form carries the version it was read at, so a second person's
    # save over someone else's change is refused instead of silently overwriting it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The edit counter and the save time say nothing a reader of the history needs. Each
    # history row also keeps the outcomes, supporters and dependencies the action had then.
    history = HistoricalRecords(
        excluded_fields=["version", "updated_at"],
        m2m_fields=["outcomes", "supporting_organisations", "depends_on", "achievements"],
    )

    objects = ActionQuerySet.as_manager()

    # The update form a My actions card shows open: set by the views that render one.
    update_form = None
    # The request for a new due date a My actions card shows: set by that page.
    due_request = None

    class Meta:
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="action_number_unique_in_plan"),
            models.UniqueConstraint(
                fields=["plan", "reference"], name="action_reference_unique_in_plan"
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(due__isnull=True) | Q(due__gte=F("start")),
                name="action_due_not_before_start",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_max_100"),
            models.CheckConstraint(
                condition=Q(resource_amount__isnull=True) | Q(resource_amount__gte=0),
                name="action_resources_not_negative",
            ),
        ]
        indexes = [
            # My actions and the action plan table: open actions by due date.
            models.Index(fields=["plan", "closure", "due"], name="action_plan_closure_due"),
            models.Index(fields=["lead_organisation", "due"], name="action_lead_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("actions:action", args=[self.pk])

    @staticmethod
    def live_status(status: str) -> bool:
        """Whether an action of this status is live, for actions read as plain rows."""
        return status != Action.Status.CANCELLED

    # The same three words as ActionQuerySet, for actions already loaded.
    @property
    def is_live(self) -> bool:
        return self.live_status(self.status)

    @property
    def is_open(self) -> bool:
        return self.is_live and self.closure != self.Closure.CLOSED

    @property
    def is_in_progress(self) -> bool:
        return self.is_open and self.status != self.Status.COMPLETE

    @property
    def is_closed(self) -> bool:
        """Closed by a lead: it takes no more updates (a cancelled one still may)."""
        return self.closure == self.Closure.CLOSED

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_in_progress and self.due is not None and self.due < today


class DueDateProposalQuerySet(models.QuerySet):
    def pending(self) -> DueDateProposalQuerySet:
        return self.filter(answer=DueDateProposal.Answer.PENDING)


class DueDateProposal(models.Model):
    """A partner's request to move an action's due date, and a lead's answer to it."""

    class Answer(models.TextChoices):
        PENDING = "pending", "Waiting for a lead"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="due_proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    # The due date when it was asked for, so the answer reads right after later changes.
    was_due = models.DateField(null=True, blank=True)
    proposed_due = models.DateField("new due date")
    reason = models.TextField("why it needs more time", max_length=2000)
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_reason = models.TextField("the lead's reason", max_length=2000, blank=True)
    history = HistoricalRecords()

    objects = DueDateProposalQuerySet.as_manager()

    class Meta:
        ordering = ["action_id", "-proposed_at", "-pk"]
        verbose_name = "request for a new due date"
        constraints = [
            # A second request while one waits would leave the lead two answers to give.
            models.UniqueConstraint(
                fields=["action"],
                condition=Q(answer="pending"),
                name="one_pending_due_proposal_per_action",
            ),
            models.CheckConstraint(
                condition=Q(answer="pending") | Q(answered_at__isnull=False),
                name="due_proposal_answer_has_a_time",
            ),
            models.CheckConstraint(
                condition=~Q(answer="declined") | ~Q(answer_reason=""),
                name="due_proposal_decline_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action.reference}: due {self.proposed_due:%d %b %Y}?"


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(validators=[one_line], max_length=200)
    due = models.DateField()
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action_id", "due", "pk"]

    def __str__(self) -> str:
        return self.title


class Spend(models.Model):
    """Money spent on an action in one quarter, beside what the action commits. Recorded
    again for the same quarter, it is corrected (the history keeps what it said before)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="spends")
    quarter = models.DateField(help_text="The first day of the quarter.")
    amount = models.DecimalField("spent (£)", max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action_id", "quarter"]
        verbose_name_plural = "spend"
        constraints = [
            models.UniqueConstraint(fields=["action", "quarter"], name="one_spend_per_quarter"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spend_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.action.reference}: £{self.amount} in the quarter from {self.quarter}"


class Budget(models.Model):
    """A plan's pooled budget: the money its partners put together for it, allocated to its
    outcomes."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="budget")
    amount = models.DecimalField(
        "pooled budget (£)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "pooled budget"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return "Pooled budget"


class Contribution(models.Model):
    """What one partner organisation puts into the plan's pooled budget, in cash or in kind."""

    class Kind(models.TextChoices):
        CASH = "cash", "Cash"
        IN_KIND = "in_kind", "In kind"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="contributions")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contributions"
    )
    amount = models.DecimalField(
        "amount (£)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CASH)
    note = models.CharField(
        max_length=300, blank=True, help_text="What it is, for money in kind: staff, rooms."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "organisation__name", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation", "kind"], name="one_contribution_per_kind"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contribution_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} ({self.get_kind_display().lower()})"


class Allocation(models.Model):
    """The part of the pooled budget given to one outcome."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="allocations")
    outcome = models.OneToOneField(Outcome, on_delete=models.CASCADE, related_name="allocation")
    amount = models.DecimalField(
        "allocated (£)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "outcome__priority", "outcome_id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Allocation to {self.outcome.statement}"


class MoneyMove(models.Model):
    """A decision to move money from one outcome's allocation to another's: who, when, how
    much and why. Both allocations change with it, in the same transaction."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="money_moves")
    from_outcome = models.ForeignKey(
        Outcome, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="from"
    )
    to_outcome = models.ForeignKey(
        Outcome, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="to"
    )
    # The outcomes as they were named, kept should either be deleted later.
    from_name = models.CharField(max_length=300, editable=False)
    to_name = models.CharField(max_length=300, editable=False)
    amount = models.DecimalField("amount (£)", max_digits=12, decimal_places=2)
    reason = models.TextField(max_length=NOTE)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "-decided_at", "-pk"]
        verbose_name = "money moved"
        verbose_name_plural = "money moved"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="money_move_positive"),
        ]

    def __str__(self) -> str:
        return f"£{self.amount} from {self.from_name} to {self.to_name}"


def evidence_path(update: Update, filename: str) -> str:
    # A name of our own: the uploader's file name is kept only as a label.
    return f"evidence/plan-{update.action.plan_id}/{timezone.now():%Y/%m}/{update.token}.bin"


class Update(models.Model):
    """A partner's report on an action: its status and progress then, and what happened."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Action.Status.choices)
    progress = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    note = models.TextField(blank=True, max_length=LONG_TEXT)
    evidence_link = models.URLField(blank=True)
    evidence_file = models.FileField(upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_kind = models.CharField(max_length=10, blank=True)
    token = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["action_id", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="update_progress_max_100"),
        ]
        indexes = [
            # An action's history, newest first.
            models.Index(fields=["action", "-created_at"], name="update_action_created"),
        ]

    def __str__(self) -> str:
        return f"{self.action.reference} {self.get_status_display()} {self.created_at:%Y-%m-%d}"


def updates_stamp(update_ids) -> str:
    """What an action's history of updates is now, in a few characters: a page that shows it
    asks again with this, and is told when there is something new (updates are only ever
    added, or deleted with their action)."""
    ids = sorted(update_ids)
    return f"{len(ids)}-{ids[-1] if ids else 0}"


class Finding(models.Model):
    """A care service's inspection finding, under the key question it was made against,
    answered by the actions mapped to it."""

    class KeyQuestion(models.TextChoices):
        SAFE = "safe", "Safe"
        EFFECTIVE = "effective", "Effective"
        CARING = "caring", "Caring"
        RESPONSIVE = "responsive", "Responsive"
        WELL_LED = "well_led", "Well-led"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="findings")
    key_question = models.CharField(max_length=12, choices=KeyQuestion.choices)
    summary = models.CharField(max_length=300, help_text="What the inspection found, briefly.")
    detail = models.TextField(blank=True, max_length=LONG_TEXT)
    source = models.CharField(
        max_length=200, blank=True, help_text="E.g. the inspection report of May 2026, page 4."
    )
    actions = models.ManyToManyField(
        Action, related_name="findings", blank=True, help_text="The actions that answer it."
    )

    class Meta:
        ordering = ["plan_id", "key_question", "pk"]

    def __str__(self) -> str:
        return self.summary


class ExpectedEffect(EffectFields):
    """What an action is expected to do to one of its plan's indicators (issue 26): the
    indicator's forecast "with the plan" adds it to the trend."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="expected_effects")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="expected_effects"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["action_id", "indicator_id", "pk"]
        constraints = [
            *effect_constraints("expected_effect"),
            models.UniqueConstraint(
                fields=["action", "indicator"], name="one_effect_per_indicator"
            ),
        ]

    def __str__(self) -> str:
        return f"Effect of {self.action.reference} on {self.indicator.code}"

    def as_effect(self) -> trajectories.Effect:
        return self.effect(f"{self.action.reference} {self.action.title}", external=False)


class OptionEffect(EffectFields):
    """What a favoured option is expected to do to one of its plan's indicators (issue 26),
    stated before it is turned into actions. The forecast "with the plan" counts it while the
    option is favoured and no action made from it states an effect on the same indicator:
    once one does, the action's effect is counted instead, never both (`counted_option_effects`).
    """

    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="expected_effects")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="option_effects"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["option_id", "indicator_id", "pk"]
        constraints = [
            *effect_constraints("option_effect"),
            models.UniqueConstraint(
                fields=["option", "indicator"], name="one_option_effect_per_indicator"
            ),
        ]

    def __str__(self) -> str:
        return f"Effect of {self.option.title} on {self.indicator.code}"

    def as_effect(self) -> trajectories.Effect:
        return self.effect(f"{self.option.title} (favoured option)", external=False)


def counted_option_effects(indicators=None, *, plan=None):
    """The option effects the forecast "with the plan" counts: the option favoured, and no
    action made from it stating an effect on the same indicator. ``indicators`` or ``plan``
    narrows them; one query, the option joined."""
    taken = ExpectedEffect.objects.filter(
        action__option=OuterRef("option"), indicator=OuterRef("indicator")
    )
    found = OptionEffect.objects.filter(option__decision=Option.Decision.FAVOURED).exclude(
        Exists(taken)
    )
    if indicators is not None:
        found = found.filter(indicator__in=indicators)
    if plan is not None:
        found = found.filter(indicator__plan=plan)
    return found.select_related("option")


class Scenario(models.Model):
    """A named set of the plan's assumptions (issue 26): which actions' expected effects and
    which external factors it counts on. Scenarios are compared on one page; the one the
    partnership agreed is marked."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(
        validators=[one_line],
        max_length=200,
        help_text="For example: only the funded actions; pilot scaled up; benefit change lands.",
    )
    actions = models.ManyToManyField(
        Action,
        blank=True,
        related_name="scenarios",
        help_text="The actions whose expected effects this scenario counts on.",
    )
    options = models.ManyToManyField(
        Option,
        blank=True,
        related_name="scenarios",
        help_text="The favoured options, not yet turned into actions, whose expected effects it"
        " counts on.",
    )
    external_factors = models.ManyToManyField(
        "outcomes.ExternalFactor",
        blank=True,
        related_name="scenarios",
        help_text="The changes outside the partnership's control it assumes will happen.",
    )
    agreed = models.BooleanField(
        "the partnership's agreed scenario",
        default=False,
        help_text="Only one scenario of a plan can be the agreed one.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "-agreed", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="scenario_name_unique_in_plan"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(agreed=True), name="one_agreed_scenario_per_plan"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# Issue 24: the plan's frame (the CQC's guide to writing an action plan, and Five Steps) ---------


class Stakeholder(models.Model):
    """Someone with a stake in the plan, and how the partnership consults them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(
        "person or group", validators=[one_line], max_length=200, help_text="E.g. Carers' forum."
    )
    interest = models.TextField("their interest in the plan", max_length=NOTE)
    consultation = models.CharField(
        "how we consult them",
        max_length=300,
        help_text="E.g. a meeting of the forum, a survey, a visit.",
    )
    frequency = models.CharField(
        "how often", max_length=120, help_text="E.g. every quarter, before each review."
    )
    relationship_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="who holds the relationship",
        help_text="The member of the partnership who keeps in touch with them.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class Communication(models.Model):
    """One line of the plan's communications plan: who is told what, how and when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="communications")
    audience = models.CharField(
        "who is told", validators=[one_line], max_length=200, help_text="E.g. residents."
    )
    message = models.TextField("what they are told", max_length=NOTE)
    channel = models.CharField(
        "how", max_length=200, help_text="E.g. the council's newsletter, a briefing."
    )
    timing = models.CharField("when", max_length=200, help_text="E.g. once the plan is agreed.")
    action = models.ForeignKey(
        "Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communications",
        verbose_name="carried out by the action",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "pk"]

    def __str__(self) -> str:
        return f"{self.audience}: {self.channel}"


class Declaration(models.Model):
    """A member's declared interest, in one option or in the plan's decisions, made before
    options are scored. The declared member's scores are flagged; a lead may leave them out
    of the totals (``excluded``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="declarations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declarations"
    )
    option = models.ForeignKey(
        Option,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name="in the option",
        help_text="Leave empty for an interest in the plan's decisions as a whole.",
    )
    interest = models.TextField("the interest", max_length=NOTE)
    declared_at = models.DateTimeField(default=timezone.now)
    excluded = models.BooleanField("scores left out of the totals", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "declared_at", "pk"]

    def __str__(self) -> str:
        return f"{self.member}: {self.option or 'the plan'}"

    def covers(self, option_id: int) -> bool:
        return self.option_id is None or self.option_id == option_id
