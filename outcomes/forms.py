"""Forms for Steps 1–3. Each one cleans input only; the rules it checks are also database
constraints, so nothing the form misses can be saved."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils import timezone

from improveplan.forms import PartnershipOrganisationField
from improveplan.models import Organisation
from improveplan.periods import PeriodClosed, closing_period
from outcomes import arithmetic, reading_rules
from outcomes.models import (
    Comparator,
    ComparatorReading,
    Evidence,
    Indicator,
    Outcome,
    Reading,
    Risk,
    Target,
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


class ReadingForm(forms.ModelForm):
    class Meta:
        model = Reading
        fields = ["period", "value", "lower", "upper", "breakdown", "source_note"]
        widgets = {"period": DATE_WIDGET}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = parent

    def attach(self, parent) -> None:
        self.instance.indicator = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        check_period(self, "period")
        if cleaned.get("period"):
            monthly = self.indicator.frequency == Indicator.Frequency.MONTHLY
            cleaned["period"] = reading_rules.reading_period(cleaned["period"], monthly=monthly)
            today = timezone.localdate()
            if problem := reading_rules.future_problem(cleaned["period"], today=today):
                self.add_error("period", problem)
        check_digits(self, "value", "lower", "upper")
        value, lower, upper = (cleaned.get(name) for name in ("value", "lower", "upper"))
        if value is not None and lower is not None and lower > value:
            self.add_error("lower", f"The lower bound {lower} is above the value {value}.")
        if value is not None and upper is not None and upper < value:
            self.add_error("upper", f"The upper bound {upper} is below the value {value}.")
        for name in ("value", "lower", "upper"):
            if name not in self.errors and (
                problem := self.indicator.range_problem(cleaned.get(name))
            ):
                self.add_error(name, problem)
        period, breakdown = cleaned.get("period"), cleaned.get("breakdown", "")
        if period:
            clash = Reading.objects.filter(
                indicator=self.indicator, period=period, breakdown=breakdown
            )
            clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                where = f" for {breakdown}" if breakdown else ""
                self.add_error(
                    "period", f"There is already a reading{where} for {period:%d %B %Y}."
                )
        self._check_not_closed(period)
        return cleaned

    def _check_not_closed(self, period) -> None:
        """Readings of a period a signed-off review closed are corrected only by a lead,
        with a reason, on the reading's correction page (reviews.Correction records it)."""
        for day in {period, self.instance.period if self.instance.pk else None} - {None}:
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


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["kind", "baseline_value", "baseline_date", "target_value", "target_date"]
        widgets = {"baseline_date": DATE_WIDGET, "target_date": DATE_WIDGET}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = parent

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


class ComparatorReadingForm(forms.ModelForm):
    class Meta:
        model = ComparatorReading
        fields = ["period", "value"]
        widgets = {"period": DATE_WIDGET}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.comparator = parent

    def attach(self, parent) -> None:
        self.instance.comparator = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        check_period(self, "period")
        period = cleaned.get("period")
        clash = ComparatorReading.objects.filter(comparator=self.comparator, period=period)
        clash = clash.exclude(pk=self.instance.pk)
        if period and clash.exists():
            self.add_error("period", f"{self.comparator} already has a value for that date.")
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
    SCALE = [(n, str(n)) for n in range(1, 6)]
    likelihood = forms.TypedChoiceField(
        choices=SCALE, coerce=int, help_text="1 (rare) to 5 (almost certain)."
    )
    impact = forms.TypedChoiceField(
        choices=SCALE, coerce=int, help_text="1 (slight) to 5 (severe)."
    )

    class Meta:
        model = Risk
        fields = [
            "description",
            "likelihood",
            "impact",
            "owner",
            "mitigation",
            "manageable_locally",
        ]
        widgets = {"mitigation": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)

    def attach(self, parent) -> None:
        self.instance.outcome = parent


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


class ReadingsImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file of readings",
        help_text="Columns: indicator (its reference), period, value, and optionally lower, "
        "upper, breakdown and source_note. The whole file is saved, or nothing is.",
    )
