"""Steps 1–3 of the Five Steps: where are we now, what is the evidence, where are we heading.

Outcomes belong to a plan; indicators measure an outcome; readings, targets and comparators
hang off an indicator; evidence and risks off an outcome.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from improveplan.limits import LONG_TEXT, NOTE
from improveplan.models import Organisation, Plan
from improveplan.text import one_line
from outcomes import arithmetic, periods, trajectories
from outcomes.units import Measure

# Readings and targets must fall in a sensible range of years: a typo such as 2206
# should be refused, not drawn a century away.
EARLIEST_PERIOD = "1990-01-01"
LATEST_PERIOD = "2100-12-31"
# The confidence levels publishers give limits at: 95% and 99.8% (public health profiles).
CONFIDENCE_LEVELS = [("95", "95%"), ("99.8", "99.8%")]


class Outcome(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="outcomes")
    statement = models.CharField(
        max_length=300, help_text="The result the partnership wants, in plain words."
    )
    why_it_matters = models.TextField(blank=True, max_length=LONG_TEXT)
    priority = models.PositiveSmallIntegerField(
        default=1, help_text="1 is the highest; outcomes are listed in this order."
    )
    target_groups = models.CharField(
        max_length=300, blank=True, help_text="Who it is for, e.g. children under five."
    )
    places = models.CharField(
        max_length=300, blank=True, help_text="Where, e.g. the three most deprived wards."
    )
    assumptions = models.TextField(
        "assumptions behind the forecast",
        blank=True,
        help_text="What must hold for the forecast to come true: funding, national policy, data.",
        max_length=LONG_TEXT,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.statement

    def get_absolute_url(self) -> str:
        return reverse("outcomes:outcome", args=[self.pk])

    @property
    def partnership_id(self) -> int:
        return self.plan.partnership_id


class Indicator(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage"
        COUNT = "count", "Count"
        RATE = "rate", "Rate per N people"
        MONEY = "money", "Money (£)"
        DAYS = "days", "Days"
        SCORE = "score", "Score"

    class Kind(models.TextChoices):
        POPULATION = "population", "Population indicator"
        HOW_MUCH = "how_much", "How much did we do?"
        HOW_WELL = "how_well", "How well did we do it?"
        BETTER_OFF = "better_off", "Is anyone better off?"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Yearly"

    class Direction(models.TextChoices):
        # The same values as arithmetic.Direction.
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(
        "reference",
        max_length=20,
        help_text="A short reference, unique in the plan, used in imported files, e.g. HW-01.",
    )
    name = models.CharField(validators=[one_line], max_length=200)
    definition = models.TextField(
        blank=True,
        help_text="Exactly what is counted, and over what population.",
        max_length=LONG_TEXT,
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    rate_per = models.PositiveIntegerField(
        null=True, blank=True, help_text="For a rate: per how many people, e.g. 1000."
    )
    direction = models.CharField(
        "which way is better", max_length=10, choices=Direction.choices, default="higher"
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    source = models.CharField("data source", max_length=300, blank=True)
    # Issue 24: the agreement under which the source's data reach the partnership.
    data_sharing = models.CharField(
        "data-sharing agreement",
        max_length=300,
        blank=True,
        help_text="The agreement behind the source, e.g. its name, who signed it and when "
        "it ends; or say that the data are published openly.",
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.RESTRICT,
        related_name="indicators",
        verbose_name="owner organisation",
        help_text="Its partners may enter readings for this indicator.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.POPULATION)
    denominator = models.PositiveIntegerField(
        "population or denominator",
        null=True,
        blank=True,
        help_text="How many people the rate or percentage is of, to show the gap in people.",
    )
    # Limits the unit does not already give (a percentage is always 0 to 100; counts, money,
    # rates and days are never below 0): forecasts, charts and readings stay inside them.
    minimum = models.DecimalField(
        "lowest possible value",
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Leave empty unless the indicator cannot go below some value, e.g. a score of 1.",
    )
    maximum = models.DecimalField(
        "highest possible value",
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Leave empty unless the indicator cannot go above some value, e.g. a score "
        "out of 10, or the 96 beds of a care home.",
    )
    # Which month its years end in: March for financial years, August for school years,
    # December for calendar years. A label such as "2023/24" ends in this month.
    year_end_month = models.PositiveSmallIntegerField(
        "month its year ends",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="March for financial years, August for school years, December for calendar "
        "years.",
    )
    # A lead may start the trend at a chosen period, e.g. the target's baseline.
    trend_from = models.DateField(
        "trend starts at",
        null=True,
        blank=True,
        help_text="Leave empty to use every reading since the latest break in the series.",
    )
    # A lead may overrule the computed status, with a reason that is kept and shown.
    status_override = models.CharField(
        max_length=20, blank=True, choices=[(s.value, s.label) for s in arithmetic.Status]
    )
    override_reason = models.TextField(blank=True, max_length=NOTE)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    # Issue 24: an indicator copied forward into next year's plan carries on this one. Every
    # indicator of a series reads the readings of all of them (series_readings), so the same
    # readings show in both plans, never copies. series_start is the first of the series.
    continues = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name="carries on",
    )
    series_start = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["outcome__priority", "outcome_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(status_override="") | ~Q(override_reason=""),
                name="indicator_override_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lt=F("maximum")),
                name="indicator_minimum_below_maximum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("outcomes:indicator", args=[self.pk])

    @property
    def series_key(self) -> int:
        """The first indicator of its series: itself unless it carries on an earlier one."""
        return self.series_start_id or self.pk

    def series_readings(self) -> models.QuerySet:
        """Its readings and those of every indicator in its series (the same rows, read from
        this plan and from the plans before and after it), with the plan each was entered in."""
        return (
            series_readings_of([self.series_key])
            .select_related("indicator__plan")
            .order_by("breakdown", "period", "period_start", "indicator_id")
        )

    @property
    def unit_symbol(self) -> str:
        """The unit as written after a number."""
        if self.unit == self.Unit.PERCENT:
            return "%"
        if self.unit == self.Unit.RATE and self.rate_per:
            return f"per {self.rate_per:,}"
        if self.unit == self.Unit.MONEY:
            return "£"
        if self.unit == self.Unit.DAYS:
            return "days"
        return ""

    @property
    def year_end_name(self) -> str:
        """The month its years end in: "March", "August"."""
        return calendar.month_name[self.year_end_month]

    @property
    def measure(self) -> Measure:
        """Writes this indicator's figures: "61.2%", "2,205", "£15,808", "12.4 per 1,000"."""
        return Measure(self.unit, self.rate_per)

    @property
    def natural_bounds(self) -> arithmetic.Bounds:
        """The range the unit itself allows."""
        if self.unit == self.Unit.PERCENT:
            return arithmetic.Bounds(0.0, 100.0)
        if self.unit == self.Unit.SCORE:
            return arithmetic.UNBOUNDED
        return arithmetic.Bounds(0.0, None)

    @property
    def bounds(self) -> arithmetic.Bounds:
        """The range the unit allows, narrowed by the minimum and maximum a lead has set."""
        natural = self.natural_bounds
        low, high = natural.lower, natural.upper
        if self.minimum is not None:
            low = float(self.minimum) if low is None else max(low, float(self.minimum))
        if self.maximum is not None:
            high = float(self.maximum) if high is None else min(high, float(self.maximum))
        return arithmetic.Bounds(low, high)

    def range_problem(self, value) -> str | None:
        """Why a reading or target of `value` cannot be, or None if it can."""
        if value is None or self.bounds.contains(float(value)):
            return None
        low, high = self.bounds.lower, self.bounds.upper
        show = self.measure.value
        if low is not None and high is not None:
            where = f"between {show(low)} and {show(high)}"
        elif low is not None:
            where = f"{show(low)} or more"
        else:
            where = f"{show(high)} or less"
        return f"{show(value)} is outside what {self.code} can be: it must be {where}."

    @property
    def arithmetic_direction(self) -> arithmetic.Direction:
        return arithmetic.Direction(self.direction)

    @property
    def counts_kind(self) -> str:
        """What a reading's count and denominator make: a proportion for a percentage, a rate
        of events for a rate; nothing a test can use for other units."""
        if self.unit == self.Unit.PERCENT:
            return arithmetic.PROPORTION
        if self.unit == self.Unit.RATE and self.rate_per:
            return arithmetic.RATE
        return ""

    def change_significance(
        self, earlier: arithmetic.Point, later: arithmetic.Point
    ) -> arithmetic.Change | None:
        """Whether the change between two of its readings is bigger than its margin of error,
        by the method its unit and the readings' counts allow (arithmetic.change_significance)."""
        return arithmetic.change_significance(
            earlier, later, kind=self.counts_kind, per=self.people_per
        )

    @property
    def people_per(self) -> float | None:
        """What a value is "per", to turn a gap in units into people."""
        if self.unit == self.Unit.PERCENT:
            return 100.0
        if self.unit == self.Unit.RATE and self.rate_per:
            return float(self.rate_per)
        return None


# What a reading or comparator value gives the arithmetic, in point_from's order: status.py
# reads these columns as plain rows, Reading.point and ComparatorReading.point as attributes.
POINT_FIELDS = [
    "period_start",
    "period",
    "period_label",
    "value",
    "lower",
    "upper",
    "confidence_level",
    "count",
    "denominator",
    "suppression_mark",
    "value_note",
]
READING_POINT_FIELDS = [*POINT_FIELDS, "series_break"]


def _float(number) -> float | None:
    return None if number is None else float(number)


def point_from(
    period_start,
    period,
    period_label,
    value,
    lower,
    upper,
    confidence_level,
    count,
    denominator,
    suppression_mark,
    value_note,
    series_break=False,
) -> arithmetic.Point:
    """A reading or comparator value as the arithmetic takes it: its period, its value (None
    when suppressed), its limits at their level, and the count and denominator behind it."""
    return arithmetic.Point(
        when=period,
        value=_float(value),
        lower=_float(lower),
        upper=_float(upper),
        start=period_start,
        label=period_label,
        level=float(confidence_level) / 100,
        count=_float(count),
        denominator=_float(denominator),
        series_break=series_break,
        mark=suppression_mark,
        note=value_note,
    )


def _as_date(obj: models.Model, name: str):
    """A date field's value as a date, as saving would make it: code may set "2024-03-31"."""
    return obj._meta.get_field(name).to_python(getattr(obj, name))


class PeriodQuerySet(models.QuerySet):
    """bulk_create gives rows without a first day their indicator's usual period, as save()
    does, with one query for the indicators' frequencies."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        missing = [obj for obj in objs if obj.period_start is None and obj.period is not None]
        if missing:
            frequency = self.model.frequencies_of(missing)
            for obj in missing:
                obj.period = _as_date(obj, "period")
                obj.period_start = periods.start_for(obj.period, frequency[obj.indicator_key])
        return super().bulk_create(objs, *args, **kwargs)


class Reading(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="readings")
    # A reading describes a period: from period_start to period (its last day), written
    # as the source wrote it ("2023/24", "Q3 2024", "2020 - 22"). A single date has the
    # same start and end.
    period_start = models.DateField(help_text="The first day of the period the value describes.")
    period = models.DateField(help_text="The last day of the period the value describes.")
    period_label = models.CharField(
        max_length=40, blank=True, help_text="The period as the source wrote it."
    )
    # No value: the source suppressed it ("*", "<5", "x", "..", or blank with a value note).
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    suppression_mark = models.CharField(
        max_length=10, blank=True, help_text="How the source marked a suppressed value."
    )
    lower = models.DecimalField(
        "lower limit", max_digits=16, decimal_places=4, null=True, blank=True
    )
    upper = models.DecimalField(
        "upper limit", max_digits=16, decimal_places=4, null=True, blank=True
    )
    confidence_level = models.CharField(
        "confidence level of the limits",
        max_length=5,
        choices=CONFIDENCE_LEVELS,
        default="95",
    )
    count = models.DecimalField(
        "count (numerator)", max_digits=16, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    value_note = models.CharField(max_length=300, blank=True)
    # The way it is collected changed from this reading on: trends start after the latest.
    series_break = models.BooleanField("break in the series", default=False)
    breakdown = models.CharField(
        max_length=100,
        blank=True,
        help_text="A group or neighbourhood; leave empty for the whole area.",
    )
    source_note = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    # Who and when are the history's own columns; entered_at would only repeat them.
    history = HistoricalRecords(excluded_fields=["entered_at"])

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["indicator_id", "breakdown", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period", "breakdown"],
                name="one_reading_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period")), name="reading_period_starts_first"
            ),
            models.CheckConstraint(
                condition=Q(lower__isnull=True) | Q(lower__lte=F("value")),
                name="reading_lower_bound_below_value",
            ),
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gte=F("value")),
                name="reading_upper_bound_above_value",
            ),
            models.CheckConstraint(
                condition=Q(period__gte=EARLIEST_PERIOD, period__lte=LATEST_PERIOD),
                name="reading_period_in_range",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.breakdown})" if self.breakdown else ""
        if self.value is None:  # held back by its source
            shown = f"held back ({self.suppression_mark})" if self.suppression_mark else "held back"
        else:
            shown = self.indicator.measure.value(self.value)
        return f"{self.indicator.code} {self.period:%Y-%m-%d}{where}: {shown}"

    def save(self, *args, **kwargs):
        self.fill_period_start()
        super().save(*args, **kwargs)

    @property
    def period_text(self) -> str:
        return periods.label_for(self.period_start, self.period, self.period_label)

    def fill_period_start(self) -> None:
        """Callers that know only the last day (older forms and files) get the indicator's
        usual period: a quarterly reading ending 31 March began on 1 January."""
        if self.period_start is None and self.period is not None:
            self.period = _as_date(self, "period")
            self.period_start = periods.start_for(self.period, self.indicator.frequency)

    @property
    def indicator_key(self) -> int:
        return self.indicator_id

    @staticmethod
    def frequencies_of(readings) -> dict[int, str]:
        ids = {reading.indicator_id for reading in readings}
        return dict(Indicator.objects.filter(pk__in=ids).values_list("pk", "frequency"))

    @property
    def point(self) -> arithmetic.Point:
        return point_from(*(getattr(self, name) for name in READING_POINT_FIELDS))


def series_indicators(keys) -> models.QuerySet:
    """The indicators of the series that begin with the indicators ``keys`` (series_key, ids
    or a subquery of them): the first indicator and every indicator that carries it on."""
    return Indicator.objects.filter(Q(pk__in=keys) | Q(series_start_id__in=keys)).order_by()


def series_readings_of(keys) -> models.QuerySet:
    """The readings of the series that begin with the indicators ``keys`` (series_key). The
    series' indicators are found first and their readings through the readings' index: a
    test across the join (the reading's indicator is a key, or that indicator's
    series_start is) reads every reading in the database."""
    return Reading.objects.filter(indicator_id__in=series_indicators(keys).values("pk"))


def series_readings_subquery() -> models.QuerySet:
    """For a subquery of indicators: the readings of the outer indicator's series (its own and
    those of the indicators it carries on or that carry it on), as series_readings reads them,
    through the readings' index like series_readings_of."""
    key = Coalesce(OuterRef(OuterRef("series_start_id")), OuterRef(OuterRef("pk")))
    members = Indicator.objects.filter(Q(pk=key) | Q(series_start_id=key))
    return Reading.objects.filter(indicator_id__in=members.values("pk"))


class TrajectoryShape(models.TextChoices):
    STRAIGHT = "straight", "A straight line to the target"
    STEPPED = "stepped", "Equal steps to the target"
    VALUES = "values", "Values for each period, typed or pasted"


class Target(models.Model):
    class Kind(models.TextChoices):
        LOCAL = "local", "Local"
        NATIONAL = "national", "National"
        STRETCH = "stretch", "Stretch"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LOCAL)
    baseline_value = models.DecimalField(max_digits=16, decimal_places=4)
    baseline_date = models.DateField()
    target_value = models.DecimalField(max_digits=16, decimal_places=4)
    target_date = models.DateField()
    # The path the partnership commits to from the baseline to the target, period by period
    # (outcomes/trajectories.py): none, a straight line, equal steps, or values typed in.
    trajectory_shape = models.CharField(
        "planned trajectory",
        max_length=10,
        choices=TrajectoryShape.choices,
        blank=True,
        help_text="The path you commit to from the baseline to the target, period by period.",
    )
    trajectory_steps = models.PositiveSmallIntegerField(
        "number of steps",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="For a stepped trajectory: how many equal steps it moves in.",
    )
    # For typed values: [["2025-03-31", 54.0], ...], one for each period's last day, in order.
    trajectory_values = models.JSONField(default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator_id", "target_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__gt=F("baseline_date")),
                name="target_date_after_baseline",
            ),
            models.UniqueConstraint(fields=["indicator", "kind"], name="one_target_of_each_kind"),
        ]

    def __str__(self) -> str:
        shown = self.indicator.measure.value(self.target_value)
        return f"{self.get_kind_display()} target {shown} by {self.target_date:%b %Y}"

    def trajectory(self, months: int) -> trajectories.Trajectory | None:
        """Its planned trajectory for an indicator read every `months` months, or None."""
        if not self.trajectory_shape:
            return None
        shape = trajectories.Shape(self.trajectory_shape)
        baseline = (self.baseline_date, float(self.baseline_value))
        target = (self.target_date, float(self.target_value))
        if shape is trajectories.Shape.STRAIGHT:
            steps = trajectories.straight(baseline, target, months)
        elif shape is trajectories.Shape.STEPPED:
            steps = trajectories.stepped(baseline, target, months, self.trajectory_steps)
        else:
            steps = [
                trajectories.Step(date.fromisoformat(when), float(value))
                for when, value in self.trajectory_values
            ]
            if not steps:
                return None
        return trajectories.Trajectory(shape, tuple(steps), baseline=baseline)


class Comparator(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", "National"
        REGIONAL = "regional", "Regional"
        SIMILAR = "similar", "Similar areas"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comparators")
    name = models.CharField(
        validators=[one_line], max_length=100, help_text="E.g. England, North West, similar areas."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NATIONAL)
    # The publisher's code for the area (E92000001 for England), as profile downloads name it.
    area_code = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["indicator_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "name"], name="comparator_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ComparatorReading(models.Model):
    comparator = models.ForeignKey(Comparator, on_delete=models.CASCADE, related_name="readings")
    # A reading describes a period: from period_start to period (its last day), written
    # as the source wrote it ("2023/24", "Q3 2024", "2020 - 22"). A single date has the
    # same start and end.
    period_start = models.DateField(help_text="The first day of the period the value describes.")
    period = models.DateField(help_text="The last day of the period the value describes.")
    period_label = models.CharField(
        max_length=40, blank=True, help_text="The period as the source wrote it."
    )
    # No value: the source suppressed it ("*", "<5", "x", "..", or blank with a value note).
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    suppression_mark = models.CharField(
        max_length=10, blank=True, help_text="How the source marked a suppressed value."
    )
    lower = models.DecimalField(
        "lower limit", max_digits=16, decimal_places=4, null=True, blank=True
    )
    upper = models.DecimalField(
        "upper limit", max_digits=16, decimal_places=4, null=True, blank=True
    )
    confidence_level = models.CharField(
        "confidence level of the limits",
        max_length=5,
        choices=CONFIDENCE_LEVELS,
        default="95",
    )
    count = models.DecimalField(
        "count (numerator)", max_digits=16, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    value_note = models.CharField(max_length=300, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["comparator_id", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["comparator", "period_start", "period"],
                name="one_comparator_reading_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period")),
                name="comparator_reading_period_starts_first",
            ),
            models.CheckConstraint(
                condition=Q(period__gte=EARLIEST_PERIOD, period__lte=LATEST_PERIOD),
                name="comparator_reading_period_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.comparator} {self.period:%Y-%m-%d}: {self.value}"

    def save(self, *args, **kwargs):
        self.fill_period_start()
        super().save(*args, **kwargs)

    @property
    def period_text(self) -> str:
        return periods.label_for(self.period_start, self.period, self.period_label)

    def fill_period_start(self) -> None:
        if self.period_start is None and self.period is not None:
            self.period = _as_date(self, "period")
            self.period_start = periods.start_for(self.period, self.comparator.indicator.frequency)

    @property
    def indicator_key(self) -> int:
        return self.comparator_id

    @property
    def point(self) -> arithmetic.Point:
        return point_from(*(getattr(self, name) for name in POINT_FIELDS))

    @staticmethod
    def frequencies_of(readings) -> dict[int, str]:
        ids = {reading.comparator_id for reading in readings}
        found = Comparator.objects.filter(pk__in=ids).values_list("pk", "indicator__frequency")
        return dict(found)


class Evidence(models.Model):
    """Step 2: what we know of the need, its causes, what is being done, and what we don't."""

    class Kind(models.TextChoices):
        NEED = "need", "Need"
        CAUSE = "cause", "Cause"
        BARRIER = "barrier", "Barrier"
        OPPORTUNITY = "opportunity", "Opportunity"
        INTERVENTION = "intervention", "Current intervention"
        GAP = "gap", "Information gap"
        SOURCE = "source", "Source"

    class Level(models.TextChoices):
        AREA = "area", "Area-wide"
        LOCAL = "local", "Local"
        GROUP = "group", "A particular group"

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True, max_length=LONG_TEXT)
    level = models.CharField(
        max_length=10, choices=Level.choices, blank=True, help_text="For needs: how wide."
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="For interventions: who runs it.",
    )
    scale = models.CharField(
        max_length=200, blank=True, help_text="For interventions: how many people it reaches."
    )
    cost = models.DecimalField(
        "cost (£ a year)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    effect = models.TextField(
        "evidence of effect",
        blank=True,
        help_text="For interventions: does it work?",
        max_length=LONG_TEXT,
    )
    link = models.URLField(blank=True, help_text="For sources: where to read it.")

    class Meta:
        ordering = ["outcome_id", "kind", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=Decimal(0)),
                name="evidence_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class RiskQuerySet(models.QuerySet):
    def review_overdue(self, today=None) -> RiskQuerySet:
        """Risks whose review date has passed: their owners are reminded."""
        today = today or timezone.localdate()
        return self.filter(review_date__lt=today)


class Risk(models.Model):
    """A risk to the plan: to one outcome, or (no outcome) to the plan as a whole. The actions
    and options it threatens are linked from their side (actions.Action.risks and
    actions.Option.risks), since they live in the layer above."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risks")
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.CASCADE,
        related_name="risks",
        null=True,
        blank=True,
        help_text="Leave empty for a risk to the whole plan.",
    )
    description = models.CharField(max_length=300)
    likelihood = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (rare) to 5 (almost certain).",
    )
    impact = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (slight) to 5 (severe).",
    )
    owned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_risks",
        verbose_name="owner",
        help_text="A member of the partnership: reminded when the review date passes.",
    )
    owner = models.CharField(
        "or who else watches it",
        max_length=200,
        blank=True,
        help_text="For an owner who does not sign in, e.g. a board or a team.",
    )
    mitigation = models.TextField(blank=True, max_length=LONG_TEXT)
    # The score once the mitigation works: what is left (the residual risk).
    likelihood_after = models.PositiveSmallIntegerField(
        "likelihood after mitigation",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    impact_after = models.PositiveSmallIntegerField(
        "impact after mitigation",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    review_date = models.DateField("next review", null=True, blank=True)
    manageable_locally = models.BooleanField("can be managed locally", default=True)
    history = HistoricalRecords()

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["plan_id", "-likelihood", "-impact", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scores_one_to_five",
            ),
            models.CheckConstraint(
                condition=(Q(likelihood_after__isnull=True) & Q(impact_after__isnull=True))
                | Q(
                    likelihood_after__gte=1,
                    likelihood_after__lte=5,
                    impact_after__gte=1,
                    impact_after__lte=5,
                ),
                name="risk_scores_after_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def score(self) -> int:
        return arithmetic.risk_score(self.likelihood, self.impact)

    @property
    def rating(self) -> str:
        return arithmetic.risk_rating(self.score)

    @property
    def score_after(self) -> int | None:
        if self.likelihood_after is None or self.impact_after is None:
            return None
        return arithmetic.risk_score(self.likelihood_after, self.impact_after)

    @property
    def rating_after(self) -> str:
        return "" if self.score_after is None else arithmetic.risk_rating(self.score_after)

    @property
    def owner_text(self) -> str:
        named = self.owned_by.full_name if self.owned_by_id and self.owned_by else ""
        return ", ".join(part for part in (named, self.owner) if part)

    def review_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.review_date is not None and self.review_date < today


class Proofing(models.Model):
    """Policy proofing: one answer of an outcome's checklist, with what was found.

    An outcome with a topic missing from its checklist has not been proofed against it."""

    class Topic(models.TextChoices):
        AFFECTED_DIFFERENTLY = (
            "affected_differently",
            "Equality and diversity: groups who may be affected differently",
        )
        MISSING_FROM_DATA = (
            "missing_from_data",
            "Equality and diversity: groups missing from the data",
        )
        RURAL = "rural", "Rural areas"
        ENVIRONMENT = "environment", "Environmental sustainability"

        @property
        def question(self) -> str:
            return PROOFING_QUESTIONS[self]

    class Finding(models.TextChoices):
        CONCERN = "concern", "Yes: there is something to act on"
        NONE = "none", "No: we looked and found nothing to act on"

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="proofing")
    topic = models.CharField(max_length=25, choices=Topic.choices)
    finding = models.CharField(max_length=10, choices=Finding.choices)
    note = models.TextField(
        blank=True, help_text="What was found, and what will be done.", max_length=NOTE
    )

    class Meta:
        ordering = ["outcome_id", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "topic"], name="one_proofing_per_topic"),
            models.CheckConstraint(
                condition=~Q(finding="concern") | ~Q(note=""), name="proofing_concern_has_a_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.get_topic_display()}"


PROOFING_QUESTIONS = {
    Proofing.Topic.AFFECTED_DIFFERENTLY: "Could this outcome, or what we do for it, help or harm "
    "some groups more than others: by age, disability, ethnicity, faith, sex, sexuality or "
    "income? Do needs or the use of services differ between them?",
    Proofing.Topic.MISSING_FROM_DATA: "Who is under-counted or absent in our data and "
    "consultations, so that their needs cannot be seen?",
    Proofing.Topic.RURAL: "Are there pockets of need in villages and rural areas that area-wide "
    "figures hide, or services that are harder to reach there?",
    Proofing.Topic.ENVIRONMENT: "Will our choices change travel, energy, waste or green space, "
    "for better or worse?",
}


class Achievement(models.Model):
    """Future-basing: something true on the vision date, written as if it already were.

    The outcome it sits under is the success area."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="achievements")
    statement = models.CharField(
        max_length=300,
        help_text="In the present tense, as seen on the vision date: "
        "“Every care leaver has a home of their own.”",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["outcome_id", "order", "pk"]

    def __str__(self) -> str:
        return self.statement


class ImportJob(models.Model):
    """A spreadsheet import that a worker runs (outcomes/imports.py): who sent which file into
    which plan, and how it ended. ``errors`` holds the first problems of a refused file, each
    as {"row", "column", "message"}; ``error_count`` how many there were in all."""

    class Kind(models.TextChoices):
        READINGS = "readings", "Readings"
        ACTION_PLAN = "action_plan", "Action plan"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        # A profiles download whose indicators and area a lead has yet to match to the plan's.
        MAPPING = "mapping", "Waiting for its indicators to be matched"
        RUNNING = "running", "Being imported"
        DONE = "done", "Saved"
        FAILED = "failed", "Nothing saved"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="import_jobs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255, blank=True)  # "" once the file is removed
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    summary = models.CharField(max_length=500, blank=True)  # what was saved
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # How to read the file (its decimal style), and for a profiles download what it holds: its
    # indicators and areas, for the lead to match (outcomes/profiles.py).
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.file_name} into {self.plan_id}"

    def get_absolute_url(self) -> str:
        return reverse("outcomes:import_job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ImportMapping(models.Model):
    """How a plan reads the public health profiles' downloads, as its lead last matched them:
    which area is "us", which other areas are compared with, and (its rows) which of the
    file's indicators is which of the plan's. Used again for the next download."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="import_mapping")
    area_code = models.CharField("our area's code", max_length=20)
    area_name = models.CharField(max_length=100, blank=True)
    # {area code: True to compare with it, False to leave its rows out}, for every area seen.
    areas = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_id"]

    def __str__(self) -> str:
        return f"Profiles downloads into {self.plan}: {self.area_name or self.area_code} is us"


class MappedIndicator(models.Model):
    """One indicator of the profiles' downloads, and the plan's indicator its rows go to (none:
    its rows are left out), with the confidence level of the limits to keep."""

    mapping = models.ForeignKey(ImportMapping, on_delete=models.CASCADE, related_name="indicators")
    source_id = models.CharField("indicator id in the file", max_length=20)
    source_name = models.CharField(max_length=255, blank=True)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    confidence_level = models.CharField(max_length=5, choices=CONFIDENCE_LEVELS, default="95")

    class Meta:
        ordering = ["mapping_id", "source_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mapping", "source_id"], name="one_mapping_per_source_indicator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.source_name} → {self.indicator or 'left out'}"


class EffectFields(models.Model):
    """What a change is expected to do to an indicator once fully built up: its size in the
    indicator's units (negative lowers it) with a low and a high estimate (the range it falls
    in 19 times out of 20), when it starts and how long it takes to build up
    (outcomes/trajectories.py, `Effect`). Shared by an action's expected effect (actions) and
    an external factor (here)."""

    size = models.DecimalField(
        "expected size",
        max_digits=16,
        decimal_places=4,
        help_text="The change once fully built up, in the indicator's units: negative lowers it.",
    )
    low = models.DecimalField("low estimate", max_digits=16, decimal_places=4)
    high = models.DecimalField("high estimate", max_digits=16, decimal_places=4)
    starts = models.DateField("starts on")
    build_up_months = models.PositiveSmallIntegerField(
        "months to build up",
        default=0,
        validators=[MaxValueValidator(240)],
        help_text="How long it takes to reach its full size; 0 for at once.",
    )

    class Meta:
        abstract = True

    def effect(self, name: str, *, external: bool) -> trajectories.Effect:
        return trajectories.Effect(
            name=name,
            size=float(self.size),
            low=float(self.low),
            high=float(self.high),
            start=self.starts,
            build_up_months=self.build_up_months,
            external=external,
        )


def effect_constraints(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(low__lte=F("size"), size__lte=F("high")),
            name=f"{prefix}_size_between_estimates",
        )
    ]


class ExternalFactor(EffectFields):
    """A change outside the partnership's control expected to move an indicator: a national
    policy, a benefit change. The forecast "with the plan" counts it, marked as outside."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="external_factors"
    )
    name = models.CharField(validators=[one_line], max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator_id", "starts", "pk"]
        constraints = effect_constraints("external_factor")

    def __str__(self) -> str:
        return self.name

    def as_effect(self) -> trajectories.Effect:
        return self.effect(self.name, external=True)
