"""Forms for Steps 1–3. Each one cleans input only; the rules it checks are also database
constraints, so nothing the form misses can be saved."""

from __future__ import annotations

import calendar
import csv
import io
import re
from datetime import date
from decimal import Decimal

from django import forms
from django.urls import reverse

from improveplan.forms import PartnershipOrganisationField
from improveplan.models import Organisation, User
from improveplan.periods import PeriodClosed, closing_period
from outcomes import arithmetic, periods, profiles, reading_rules, readings_io
from outcomes.models import (
    CONFIDENCE_LEVELS,
    Comparator,
    ComparatorReading,
    Evidence,
    ExternalFactor,
    Indicator,
    Outcome,
    Reading,
    Risk,
    Target,
    TrajectoryShape,
)

EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def check_digits(form: forms.Form, *fields: str) -> None:
    """Refuse a number with more significant digits than a reading keeps exactly."""
    for name in fields:
        number = form.cleaned_data.get(name)
        if number is not None and (problem := reading_rules.digits_problem(number, "The number")):
            form.add_error(name, problem)


def check_period(form: forms.Form, field: str) -> None:
    when = form.cleaned_data.get(field)
    if when and not EARLIEST <= when <= LATEST:
        form.add_error(field, "Give a date between 1990 and 2100.")


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = [
            "statement",
            "why_it_matters",
            "priority",
            "target_groups",
            "places",
            "assumptions",
        ]
        widgets = {
            "why_it_matters": forms.Textarea(attrs={"rows": 3}),
            "assumptions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].widget.attrs["min"] = 1

    def attach(self, parent) -> None:
        self.instance.plan = parent


MONTHS = [(number, calendar.month_name[number]) for number in range(1, 13)]


class IndicatorForm(forms.ModelForm):
    owner = PartnershipOrganisationField(
        queryset=Organisation.objects.none(),
        label="Owner organisation",
        help_text="Its partners may enter readings for this indicator.",
    )
    year_end_month = forms.TypedChoiceField(
        label="Month its years end",
        choices=MONTHS,
        coerce=int,
        initial=3,
        required=False,  # a post without it (a script, an older page) keeps the month set
        help_text="March for financial years, August for school years, December for calendar "
        "years: a period written “2023/24” ends on the last day of this month.",
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "definition",
            "kind",
            "unit",
            "rate_per",
            "direction",
            "frequency",
            "source",
            "data_sharing",
            "owner",
            "denominator",
            "minimum",
            "maximum",
            "year_end_month",
            "trend_from",
        ]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3}), "trend_from": DATE_WIDGET}
        help_texts = {
            "trend_from": "Leave empty to use every reading since the latest break in the "
            "series. Or give a date, such as the target's baseline: the trend starts at the "
            "reading whose period ends on or after it.",
        }

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outcome = parent
        self.fields["owner"].queryset = self.outcome.plan.partnership.organisations.all()
        for name in ("minimum", "maximum"):  # "96", not the column's "96.0000"
            if isinstance(self.initial.get(name), Decimal):
                self.initial[name] = f"{self.initial[name].normalize():f}"

    def attach(self, parent) -> None:
        self.instance.outcome = parent
        self.instance.plan_id = parent.plan_id

    def clean_year_end_month(self) -> int:
        month = self.cleaned_data.get("year_end_month")
        return month if month not in (None, "") else self.instance.year_end_month

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        clash = Indicator.objects.filter(plan_id=self.outcome.plan_id, code__iexact=code)
        clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another indicator in this plan has that reference.")
        return code

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("unit") == Indicator.Unit.RATE and not cleaned.get("rate_per"):
            self.add_error("rate_per", "Say what the rate is per, e.g. 1000 people.")
        check_period(self, "trend_from")
        self._check_range(cleaned)
        return cleaned

    def _check_range(self, cleaned: dict) -> None:
        """The lowest and highest possible values: in order, inside what the unit allows, and
        with every reading and target already entered inside them."""
        if self.errors or "unit" not in cleaned:
            return
        low, high = cleaned.get("minimum"), cleaned.get("maximum")
        if low is not None and high is not None and not low < high:
            self.add_error("maximum", "The highest possible value must be above the lowest.")
            return
        unit = Indicator(unit=cleaned["unit"], rate_per=cleaned.get("rate_per"))
        natural, show = unit.natural_bounds, unit.measure.value
        if low is not None and natural.upper is not None and low >= natural.upper:
            self.add_error("minimum", f"It must be below {show(natural.upper)}.")
        if low is not None and natural.lower is not None and low <= natural.lower:
            self.add_error(
                "minimum",
                f"It must be above {show(natural.lower)}, or left empty: "
                f"{unit.get_unit_display().lower()} cannot go below {show(natural.lower)} anyway.",
            )
        if high is not None and natural.upper is not None and high >= natural.upper:
            self.add_error(
                "maximum",
                f"It must be below {show(natural.upper)}, or left empty: "
                f"{unit.get_unit_display().lower()} cannot go above {show(natural.upper)} anyway.",
            )
        if high is not None and natural.lower is not None and high <= natural.lower:
            self.add_error("maximum", f"It must be above {show(natural.lower)}.")
        if self.errors or self.instance.pk is None:
            return
        unit.code, unit.minimum, unit.maximum = cleaned.get("code", ""), low, high
        outside = [
            f"the reading for {reading.period:%B %Y} ({show(value)})"
            for reading in self.instance.readings.order_by("period")
            for value in (reading.value, reading.lower, reading.upper)
            if value is not None and not unit.bounds.contains(float(value))
        ]
        outside += [
            f"the {target.get_kind_display().lower()} target's {what} ({show(value)})"
            for target in self.instance.targets.all()
            for what, value in (("baseline", target.baseline_value), ("value", target.target_value))
            if not unit.bounds.contains(float(value))
        ]
        if outside:
            field = "minimum" if low is not None else "maximum"
            listed = "; ".join(outside[:3]) + ("; and more" if len(outside) > 3 else "")
            self.add_error(
                field,
                f"Some figures already entered fall outside this range: {listed}. "
                "Correct them first, or widen the range.",
            )


class FiguresForm(forms.ModelForm):
    """What the reading form and the comparator value form share: a period written as the
    source writes it, a value or the source's mark for one held back, limits at a confidence
    level, the count and denominator behind a rate, and a value note. Each is checked as the
    readings import checks its rows (outcomes/readings_io.py), so the rules are the same."""

    period = forms.CharField(
        max_length=40,
        help_text="As the source writes it: 2023/24, Q3 2024, 2024/25 Q3, Mar 2024, 2020 - 22, "
        "or a date, which is the last day of a period as long as the indicator's.",
    )
    value = forms.CharField(
        max_length=30,
        required=False,
        help_text="A number, or the source's mark for a value it held back: *, <5, x or .. "
        "(or leave it empty and say why in the value note).",
    )
    lower = forms.CharField(label="Lower limit", max_length=30, required=False)
    upper = forms.CharField(label="Upper limit", max_length=30, required=False)
    confidence_level = forms.ChoiceField(
        label="Confidence level of the limits",
        choices=CONFIDENCE_LEVELS,
        initial="95",
        required=False,  # 95% unless said
        help_text="Public health profiles give limits at 95% and at 99.8%.",
    )
    count = forms.CharField(
        label="Count (numerator)",
        max_length=30,
        required=False,
        help_text="For a rate or percentage: the number of people or events counted.",
    )
    denominator = forms.CharField(
        max_length=30, required=False, help_text="The population the count is out of."
    )
    value_note = forms.CharField(
        max_length=300,
        required=False,
        help_text="The source's note on the value, e.g. why it was held back.",
    )
    figures = ["value", "lower", "upper", "confidence_level", "count", "denominator"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.update(self.figures_of(self.instance))

    def figures_of(self, saved) -> dict:
        """The saved figures as the form shows them: the period as its source wrote it, or
        its days; numbers as they are, without the column's trailing zeros."""
        indicator = self.indicator
        period = saved.period_label
        if not period:
            as_date = periods.as_last_day(
                periods.Period(saved.period, saved.period, "", day=True), indicator.frequency
            )
            period = (
                f"{saved.period:%Y-%m-%d}"
                if as_date.start == saved.period_start
                else f"{saved.period_start:%Y-%m-%d} to {saved.period:%Y-%m-%d}"
            )
        shown = {"period": period, "value_note": saved.value_note}
        shown["value"] = (
            saved.suppression_mark if saved.value is None else readings_io._plain(saved.value)
        )
        for name in ("lower", "upper", "count", "denominator"):
            shown[name] = readings_io._plain(getattr(saved, name))
        shown["confidence_level"] = saved.confidence_level
        return shown

    def cells(self) -> dict[str, str]:
        """The form's fields as a row of the readings import."""
        data = self.cleaned_data
        cells = {name: (data.get(name) or "") for name in ("period", "value_note", *self.figures)}
        cells["indicator"] = self.indicator.code
        return cells

    def check_figures(self, cells: dict[str, str]):
        """Check the row as the import does; the checked row, or None with the problems added
        to their fields."""
        check = readings_io.RowChecker(None, None, indicators=[self.indicator])
        row, problems = check(0, cells, frozenset(cells))
        for column, message in problems:
            self.add_error(column if column in self.fields else None, message)
        return row

    def keep_figures(self, row, names: tuple[str, ...]) -> None:
        """Put a checked row's period and figures on the instance."""
        instance = self.instance
        label = row.data[-1]
        if not label and (instance.period_start, instance.period) == (row.start, row.end):
            label = instance.period_label  # the same period, written as its days
        instance.period_start, instance.period, instance.period_label = row.start, row.end, label
        for name, figure in zip(names[:-1], row.data[:-1], strict=True):
            setattr(instance, name, figure)


class ReadingForm(FiguresForm):
    field_order = [
        "period",
        "value",
        "lower",
        "upper",
        "confidence_level",
        "count",
        "denominator",
        "value_note",
        "series_break",
        "breakdown",
        "source_note",
    ]

    class Meta:
        model = Reading
        fields = ["series_break", "breakdown", "source_note"]
        help_texts = {
            "series_break": "The way it is collected changed from this reading on: trends "
            "start after the latest break.",
        }

    def __init__(self, *args, parent, **kwargs) -> None:
        self.indicator = parent
        super().__init__(*args, **kwargs)

    def attach(self, parent) -> None:
        self.instance.indicator = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        cells = self.cells()
        cells["breakdown"] = cleaned.get("breakdown", "")
        cells["source_note"] = cleaned.get("source_note", "")
        cells["series_break"] = "yes" if cleaned.get("series_break") else ""
        row = self.check_figures(cells)
        if row is None:
            return cleaned
        self.keep_figures(row, readings_io.DATA)
        breakdown = row.breakdown
        clash = Reading.objects.filter(
            indicator=self.indicator, period_start=row.start, period=row.end, breakdown=breakdown
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            where = f" for {breakdown}" if breakdown else ""
            shown = row.data[-1] or f"{row.end.day} {row.end:%B %Y}"
            self.add_error("period", f"There is already a reading{where} for {shown}.")
        self._check_not_closed(row.end)
        return cleaned

    def _check_not_closed(self, period) -> None:
        """Readings of a period a signed-off review closed are corrected only by a lead,
        with a reason, on the reading's correction page (reviews.Correction records it)."""
        saved = Reading.objects.filter(pk=self.instance.pk).values_list("period", flat=True)
        for day in {period, *saved} - {None}:
            closed = closing_period(self.indicator.plan_id, day)
            if closed:
                where = (
                    f" at {reverse('reviews:reading_correct', args=[self.instance.pk])}"
                    if self.instance.pk
                    else ""
                )
                self.add_error(
                    "period", f"{PeriodClosed(closed)} A lead may correct it, with a reason{where}."
                )
                return


# A line of a pasted trajectory: the period as sources write it, then its value, split by a
# tab, a comma, a semicolon or spaces ("Apr 2025<tab>54.2", "2025/26, 61", "Q1 2025 12.5").
TRAJECTORY_LINE = re.compile(r"^(?P<period>.+?)[\s,;]+(?P<value>[-−]?\d[\d,]*(?:\.\d+)?)\s*%?$")
TRAJECTORY_LINES = 600  # fifty years of monthly values


class TargetForm(forms.ModelForm):
    trajectory_text = forms.CharField(
        label="Trajectory values",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "For values typed or pasted: one period a line, then its value, for example "
            "“Apr 2025, 54.2” or “2025/26 61”. Paste two columns from a spreadsheet as they are."
        ),
    )

    class Meta:
        model = Target
        fields = [
            "kind",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "trajectory_shape",
            "trajectory_steps",
        ]
        widgets = {"baseline_date": DATE_WIDGET, "target_date": DATE_WIDGET}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = parent
        self.fields["trajectory_steps"].required = False
        self.fields["trajectory_shape"].choices = [
            ("", "None"),
            *[(value, label) for value, label in self.fields["trajectory_shape"].choices if value],
        ]
        if self.instance.trajectory_values:
            self.initial["trajectory_text"] = "\n".join(
                f"{when}\t{value:g}" for when, value in self.instance.trajectory_values
            )

    def _trajectory_values(self, text: str) -> list[list] | None:
        """The pasted lines as [last day, value] pairs in order, or None after saying on the
        form what is wrong with them."""
        indicator = self.indicator
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        problems: list[str] = []
        if not lines:
            problems.append("Type or paste a value for each period, one period a line.")
        if len(lines) > TRAJECTORY_LINES:
            problems.append(f"A trajectory may have at most {TRAJECTORY_LINES} periods.")
        start, end = self.cleaned_data.get("baseline_date"), self.cleaned_data.get("target_date")
        found: dict = {}
        for number, line in enumerate(lines[:TRAJECTORY_LINES], start=1):
            match = TRAJECTORY_LINE.match(line)
            if match is None:
                problems.append(f"Line {number}: give a period, then its value.")
                continue
            try:
                period = periods.as_last_day(
                    periods.parse(match["period"], year_end_month=indicator.year_end_month),
                    indicator.frequency,
                )
            except periods.PeriodError as error:
                problems.append(f"Line {number}: {error}")
                continue
            value = float(match["value"].replace(",", "").replace("−", "-"))
            when = period.end
            if start and end and not start < when <= end:
                named = period.label or f"{when:%d %b %Y}"
                problems.append(
                    f"Line {number}: {named} is not after the baseline date and by the target date."
                )
            elif when in found:
                problems.append(f"Line {number}: that period has a value already.")
            elif problem := indicator.range_problem(value):
                problems.append(f"Line {number}: {problem}")
            else:
                found[when] = value
        if problems:
            for problem in problems[:10]:
                self.add_error("trajectory_text", problem)
            return None
        return [[when.isoformat(), found[when]] for when in sorted(found)]

    def attach(self, parent) -> None:
        self.instance.indicator = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        check_period(self, "baseline_date")
        check_period(self, "target_date")
        start, end = cleaned.get("baseline_date"), cleaned.get("target_date")
        if start and end and end <= start:
            self.add_error("target_date", "The target date must come after the baseline date.")
        for name in ("baseline_value", "target_value"):
            if problem := self.indicator.range_problem(cleaned.get(name)):
                self.add_error(name, problem)
        kind = cleaned.get("kind")
        clash = Target.objects.filter(indicator=self.indicator, kind=kind)
        clash = clash.exclude(pk=self.instance.pk)
        if kind and clash.exists():
            self.add_error("kind", "This indicator already has a target of this kind.")
        if cleaned.get("trajectory_steps") is None and "trajectory_steps" not in self.errors:
            cleaned["trajectory_steps"] = self.instance.trajectory_steps or 4
        shape = cleaned.get("trajectory_shape")
        if shape == TrajectoryShape.VALUES:
            values = self._trajectory_values(cleaned.get("trajectory_text", ""))
            if values is not None:
                self.instance.trajectory_values = values
        else:
            self.instance.trajectory_values = []
        return cleaned


EFFECT_FIELDS = ["size", "low", "high", "starts", "build_up_months"]


def check_effect(form: forms.ModelForm, indicator) -> None:
    """An effect's size lies between its low and high estimates, and none of the three is a
    difference larger than the indicator's whole possible range."""
    cleaned = form.cleaned_data
    check_period(form, "starts")
    check_digits(form, "size", "low", "high")
    size, low, high = (cleaned.get(name) for name in ("size", "low", "high"))
    if None not in (size, low, high) and not low <= size <= high:
        form.add_error("size", "The expected size must lie between the low and high estimates.")
    bounds = indicator.bounds
    if bounds.lower is not None and bounds.upper is not None:
        width = Decimal(str(bounds.upper - bounds.lower))
        for name in ("size", "low", "high"):
            value = cleaned.get(name)
            if value is not None and abs(value) > width:
                form.add_error(
                    name,
                    f"{indicator.code} can only move {indicator.measure.difference(width)} in all.",
                )


class ExternalFactorForm(forms.ModelForm):
    class Meta:
        model = ExternalFactor
        fields = ["name", *EFFECT_FIELDS]
        widgets = {"starts": DATE_WIDGET}
        help_texts = {"name": "For example: the national ban on sales to younger age groups."}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = parent

    def attach(self, parent) -> None:
        self.instance.indicator = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        check_effect(self, self.indicator)
        return cleaned


class ComparatorForm(forms.ModelForm):
    class Meta:
        model = Comparator
        fields = ["name", "kind"]

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = parent

    def attach(self, parent) -> None:
        self.instance.indicator = parent

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Comparator.objects.filter(indicator=self.indicator, name__iexact=name)
        clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("This indicator already has a comparator of that name.")
        return name


class ComparatorReadingForm(FiguresForm):
    field_order = [
        "period",
        "value",
        "lower",
        "upper",
        "confidence_level",
        "count",
        "denominator",
        "value_note",
    ]

    class Meta:
        model = ComparatorReading
        # The rest are FiguresForm's own fields, which clean() puts on the value.
        fields = ["value_note"]

    def __init__(self, *args, parent, **kwargs) -> None:
        self.comparator = parent
        self.indicator = parent.indicator
        super().__init__(*args, **kwargs)

    def attach(self, parent) -> None:
        self.instance.comparator = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        cells = self.cells()
        cells["comparator"] = self.comparator.name
        cells["area_code"] = self.comparator.area_code
        row = self.check_figures(cells)
        if row is None:
            return cleaned
        self.keep_figures(row, readings_io.COMPARATOR_DATA)
        clash = ComparatorReading.objects.filter(
            comparator=self.comparator, period_start=row.start, period=row.end
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            shown = row.data[-1] or f"{row.end.day} {row.end:%B %Y}"
            self.add_error("period", f"{self.comparator} already has a value for {shown}.")
        return cleaned


class EvidenceForm(forms.ModelForm):
    link = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="For sources: where to read it.",
    )
    lead_organisation = PartnershipOrganisationField(
        queryset=Organisation.objects.none(),
        required=False,
        help_text="For interventions: who runs it.",
    )

    class Meta:
        model = Evidence
        fields = [
            "kind",
            "summary",
            "detail",
            "level",
            "lead_organisation",
            "scale",
            "cost",
            "effect",
            "link",
        ]
        widgets = {
            "detail": forms.Textarea(attrs={"rows": 3}),
            "effect": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        outcome = parent
        self.fields["lead_organisation"].queryset = outcome.plan.partnership.organisations.all()
        if kind := self.initial.get("kind"):
            self.fields["kind"].initial = kind

    def attach(self, parent) -> None:
        self.instance.outcome = parent

    def clean_cost(self):
        cost = self.cleaned_data.get("cost")
        if cost is not None and cost < 0:
            raise forms.ValidationError("A cost cannot be negative.")
        return cost


class RiskForm(forms.ModelForm):
    """A risk of one outcome (its parent); actions' PlanRiskForm adds the outcome, and the
    actions and options a risk threatens, for the plan's risk register."""

    SCALE = [(n, str(n)) for n in range(1, 6)]
    AFTER = [("", "Not scored yet"), *SCALE]
    likelihood = forms.TypedChoiceField(
        choices=SCALE, coerce=int, help_text="1 (rare) to 5 (almost certain)."
    )
    impact = forms.TypedChoiceField(
        choices=SCALE, coerce=int, help_text="1 (slight) to 5 (severe)."
    )
    likelihood_after = forms.TypedChoiceField(
        label="Likelihood after mitigation",
        choices=AFTER,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Once the mitigation works.",
    )
    impact_after = forms.TypedChoiceField(
        label="Impact after mitigation",
        choices=AFTER,
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Risk
        fields = [
            "description",
            "likelihood",
            "impact",
            "owned_by",
            "owner",
            "mitigation",
            "likelihood_after",
            "impact_after",
            "review_date",
            "manageable_locally",
        ]
        widgets = {
            "mitigation": forms.Textarea(attrs={"rows": 3}),
            "review_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        plan = getattr(parent, "plan", parent)  # an outcome, or the plan itself
        self.plan = plan
        self.fields["owned_by"].queryset = User.objects.filter(
            memberships__partnership=plan.partnership_id
        ).order_by("full_name")
        self.fields["owned_by"].error_messages["invalid_choice"] = (
            "Choose a member of this partnership."
        )

    def clean(self):
        cleaned = super().clean()
        after = (cleaned.get("likelihood_after"), cleaned.get("impact_after"))
        if (after[0] is None) != (after[1] is None):
            self.add_error(
                "impact_after" if after[1] is None else "likelihood_after",
                "Give both the likelihood and the impact after mitigation, or neither.",
            )
        return cleaned

    def attach(self, parent) -> None:
        self.instance.outcome = parent
        self.instance.plan_id = parent.plan_id


class StatusOverrideForm(forms.Form):
    status = forms.ChoiceField(
        label="Status to show",
        choices=[("", "Use the computed status")]
        + [(status.value, status.label) for status in arithmetic.Status],
        required=False,
    )
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Kept and shown beside the status, e.g. new data not yet in the readings.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why the computed status is wrong.")
        return cleaned


DECIMAL_STYLES = [
    ("point", "1,234.5: a point before the decimals (as in the UK)"),
    ("comma", "1.234,5: a comma before the decimals"),
]


class ReadingsImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file of readings",
        help_text="Our columns (indicator, period, value and others below), or a public health "
        "profiles download as it comes. The whole file is saved, or nothing is.",
    )
    decimal_style = forms.ChoiceField(
        label="How the file writes numbers",
        choices=DECIMAL_STYLES,
        initial="point",
        required=False,  # 1,234.5 unless said
        widget=forms.RadioSelect,
        help_text="Numbers in an Excel workbook's number cells are read as they are.",
    )
    review_mapping = forms.BooleanField(
        label="Let me check how a profiles download's indicators and areas are matched "
        "before it is imported",
        required=False,
        help_text="Without this, a download is read as the plan's last one was, if it can be.",
    )

    def options(self) -> dict:
        return {
            "decimal_comma": self.cleaned_data["decimal_style"] == "comma",
            "review_mapping": self.cleaned_data["review_mapping"],
        }


class ProfileMappingForm(forms.Form):
    """A lead matches a profiles download to the plan: which area is ours, which others are
    compared with, and which of the plan's indicators each of the file's indicators is (or
    none, to leave its rows out), with the confidence level of the limits to keep."""

    area = forms.ChoiceField(label="Which area is yours?")
    compare_with = forms.MultipleChoiceField(
        label="Compare with",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each area ticked becomes a comparator of the indicators, with its values. "
        "Only whole-area values are kept for a comparator, not those for a sex, age or "
        "category.",
    )

    def __init__(self, *args, survey: dict, plan, saved=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        areas = [
            (code, f"{name or code} ({code}{', ' + kind if kind else ''})")
            for code, name, kind, _parent, _rows in survey["areas"]
        ]
        self.fields["area"].choices = areas
        self.fields["compare_with"].choices = areas
        codes = [code for code, *_ in survey["areas"]]
        if saved is not None and saved.area_code in codes:
            self.fields["area"].initial = saved.area_code
        seen = saved.areas if saved is not None else {}
        self.fields["compare_with"].initial = [
            code
            for code, name, kind, _parent, _rows in survey["areas"]
            if seen.get(
                code, profiles.kind_of(code, kind) != Comparator.Kind.SIMILAR or len(codes) <= 20
            )
        ]
        self.indicators = list(plan.indicators.order_by("code"))
        choices = [("", "Leave its rows out")] + [
            (str(indicator.pk), f"{indicator.code} {indicator.name}")
            for indicator in self.indicators
        ]
        by_code = {indicator.code: indicator for indicator in self.indicators}
        by_name = {indicator.name.casefold(): indicator for indicator in self.indicators}
        self.sources = []
        for index, (source, name, rows) in enumerate(survey["indicators"]):
            matched = saved.indicators.get(source) if saved is not None else None
            guess = by_code.get(matched[0]) if matched else by_name.get(name.casefold())
            self.fields[f"indicator_{index}"] = forms.ChoiceField(
                label=f"{name or 'Indicator'} (id {source}, {rows:,} rows)",
                choices=choices,
                required=False,
                initial=str(guess.pk) if guess else "",
            )
            self.fields[f"level_{index}"] = forms.ChoiceField(
                label="Limits to keep",
                choices=CONFIDENCE_LEVELS,
                initial=matched[1] if matched else "95",
            )
            self.sources.append(source)

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = {}
        seen: dict[str, int] = {}
        by_pk = {str(indicator.pk): indicator for indicator in self.indicators}
        for index, source in enumerate(self.sources):
            picked = cleaned.get(f"indicator_{index}")
            indicator = by_pk.get(picked) if picked else None
            if indicator is not None and indicator.code in seen:
                self.add_error(
                    f"indicator_{index}",
                    f"{indicator.code} is chosen for another of the file's indicators too.",
                )
            if indicator is not None:
                seen[indicator.code] = index
            chosen[source] = (indicator, cleaned.get(f"level_{index}", "95"))
        if not seen and not self.errors:
            self.add_error(None, "Choose the plan's indicator for at least one of the file's.")
        cleaned["chosen"] = chosen
        return cleaned


GRID_COLUMNS = [
    "period",
    "value",
    "lower",
    "upper",
    "confidence_level",
    "count",
    "denominator",
    "value_note",
]


class ReadingsGridForm(forms.Form):
    """Many readings of one indicator at once, one a line: typed into the page's grid, or
    pasted from a spreadsheet (tab-separated lines; the grid needs no script to be sent)."""

    lines = forms.CharField(
        label="Readings, one a line",
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace", "spellcheck": "false"}),
        max_length=200_000,
        help_text="In this order, separated by tabs (as a spreadsheet copies them), semicolons "
        "or commas: period, value, lower limit, upper limit, confidence level, count, "
        "denominator, value note. Only the period and the value are needed.",
    )
    decimal_style = forms.ChoiceField(
        label="How the numbers are written",
        choices=DECIMAL_STYLES,
        initial="point",
        required=False,  # 1,234.5 unless said
        widget=forms.RadioSelect,
    )

    def rows(self, indicator) -> list[dict[str, str]]:
        """The lines as rows of the readings import, each knowing its line number. A first
        line of headings (starting "period") is left out, and so are empty lines. A column left
        empty on every line is left out, so it keeps the saved readings' values."""
        text = self.cleaned_data["lines"]
        separator = "\t" if "\t" in text else ";" if ";" in text else ","
        found = []
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=separator), 1):
            cells = [cell.strip() for cell in cells]
            if not any(cells) or (number == 1 and cells[0].lower() == "period"):
                continue
            values = dict(zip(GRID_COLUMNS, cells, strict=False))
            if len(cells) > len(GRID_COLUMNS) and any(cells[len(GRID_COLUMNS) :]):
                values["extra"] = "\t".join(cells[len(GRID_COLUMNS) :])
            found.append((number, values))
        given = {column for _, values in found for column, text in values.items() if text}
        columns = frozenset({"indicator", "period", "value"} | given)
        return [
            readings_io.Row(number, {**values, "indicator": indicator.code}, columns)
            for number, values in found
        ]
