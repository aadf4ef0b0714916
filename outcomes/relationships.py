"""Step 1's "relationships between variables": two of a plan's indicators compared across the
areas or groups they are broken down by, in the same period (issue 26).

The arithmetic is `outcomes.trajectories.relate`; this module reads the readings (in one
query), offers the pairs that can be compared, and says what the result means in words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django import forms

from outcomes import charts, periods, trajectories
from outcomes.models import Indicator, Reading

# Fewer than three areas leave nothing to see; fewer than four leave no interval.
FEWEST_AREAS = 3

NOT_CAUSE = (
    "A correlation is not a cause. Two indicators can move together because both follow "
    "something else, such as deprivation or the age of the people living there, and a "
    "handful of areas can line up by chance: the interval says how sure the figure is."
)


@dataclass(frozen=True)
class Found:
    first: Indicator
    second: Indicator
    period: str
    names: list[str]
    xs: list[float]
    ys: list[float]
    relationship: trajectories.Relationship
    chart: charts.Chart
    sentences: list[str]


class PairForm(forms.Form):
    first = forms.ModelChoiceField(queryset=Indicator.objects.none(), label="First indicator")
    second = forms.ModelChoiceField(queryset=Indicator.objects.none(), label="Second indicator")
    period = forms.ChoiceField(label="Period", required=False)

    def __init__(self, *args, indicators, period_choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = [indicator.pk for indicator in indicators]
        for name in ("first", "second"):
            self.fields[name].queryset = Indicator.objects.filter(pk__in=ids).order_by("code")
            self.fields[name].label_from_instance = lambda i: f"{i.code} {i.name}"
        self.fields["period"].choices = [("", "The latest both have"), *period_choices]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("first") and cleaned.get("first") == cleaned.get("second"):
            self.add_error("second", "Choose two different indicators.")
        return cleaned


def _breakdowns(plan) -> tuple[dict, dict]:
    """{indicator id: {(first day, last day): {group: value}}}, and each period's label as its
    source wrote it, in one query."""
    found: dict = defaultdict(lambda: defaultdict(dict))
    labels: dict = {}
    rows = (
        Reading.objects.filter(indicator__plan=plan, value__isnull=False)
        .exclude(breakdown="")
        .values_list("indicator_id", "period_start", "period", "period_label", "breakdown", "value")
    )
    for indicator_id, start, end, label, breakdown, value in rows:
        found[indicator_id][(start, end)][breakdown] = float(value)
        labels[(start, end)] = label or labels.get((start, end), "")
    return found, labels


def _label(key: tuple[date, date], labels: dict) -> str:
    return periods.label_for(key[0], key[1], labels.get(key, ""))


def page(plan, asked) -> dict:
    """What the relationships page shows for the pair and period `asked` (its GET data)."""
    by_indicator, labels = _breakdowns(plan)
    indicators = list(
        Indicator.objects.filter(plan=plan, pk__in=list(by_indicator)).order_by("code")
    )
    keys = sorted({key for series in by_indicator.values() for key in series}, key=lambda k: k[1])
    choices = [(f"{k[0]}_{k[1]}", _label(k, labels)) for k in reversed(keys)]
    form = PairForm(asked or None, indicators=indicators, period_choices=choices)
    context = {"form": form, "indicators": indicators, "found": None, "problem": ""}
    if not asked or not form.is_valid():
        return context
    first, second = form.cleaned_data["first"], form.cleaned_data["second"]
    a, b = by_indicator[first.pk], by_indicator[second.pk]
    shared = [key for key in keys if key in a and key in b and len(set(a[key]) & set(b[key])) >= 1]
    if form.cleaned_data["period"]:
        start, end = (date.fromisoformat(day) for day in form.cleaned_data["period"].split("_"))
        shared = [key for key in shared if key == (start, end)]
    if not shared:
        context["problem"] = (
            f"{first.code} and {second.code} have no breakdowns for the same period, so there "
            "is nothing to compare."
        )
        return context
    key = shared[-1]
    names = sorted(set(a[key]) & set(b[key]))
    if len(names) < FEWEST_AREAS:
        context["problem"] = (
            f"Only {len(names)} area{'s' if len(names) != 1 else ''} or group"
            f"{'s have' if len(names) != 1 else ' has'} both figures for {_label(key, labels)}: "
            f"a relationship needs at least {FEWEST_AREAS}."
        )
        return context
    xs, ys = [a[key][n] for n in names], [b[key][n] for n in names]
    try:
        found = trajectories.relate(xs, ys)
    except ValueError as error:
        context["problem"] = f"{str(error).capitalize()}."
        return context
    context["found"] = _found(first, second, _label(key, labels), names, xs, ys, found)
    return context


def _found(first, second, period, names, xs, ys, found) -> Found:
    r = found.correlation
    sentences = [
        f"Across the {len(names)} areas or groups with both figures for {period}, r is "
        f"{r.r:.2f}"
        + (
            f" (95% interval {r.lower:.2f} to {r.upper:.2f})"
            if r.lower is not None
            else " (too few areas for an interval)"
        )
        + f": {found.strength}."
    ]
    if r.lower is not None and r.lower <= 0 <= r.upper:
        sentences.append(
            "The interval includes no relationship at all: these areas cannot tell whether "
            "the two go together."
        )
    slope = found.line.slope
    step = second.measure.difference(abs(slope))
    sentences.append(
        f"On the least-squares line, each 1 more of {first.code} goes with {step} "
        f"{'more' if slope >= 0 else 'less'} of {second.code}."
    )
    if found.outliers:
        far = []
        for i in found.outliers:
            above = ys[i] - found.line.value_at(xs[i])
            side = "higher" if above > 0 else "lower"
            far.append(
                f"{names[i]} ({second.code} {second.measure.difference(abs(above))} {side} "
                "than the line says)"
            )
        sentences.append("Far from the line, and worth a look: " + "; ".join(far) + ".")
    elif len(names) >= 4:
        sentences.append("No area lies far from the line (a standardised residual beyond 2).")
    sentences.append(NOT_CAUSE)
    chart = charts.scatter_chart(
        title=f"{first.code} against {second.code}, {period}",
        names=names,
        xs=xs,
        ys=ys,
        x_measure=first.measure,
        y_measure=second.measure,
        x_label=f"{first.code} {first.name} ({first.unit_symbol or first.get_unit_display()})",
        y_label=f"{second.code} {second.name} ({second.unit_symbol or second.get_unit_display()})",
        summary=" ".join(sentences),
        line=(found.line.slope, found.line.intercept),
        outliers=found.outliers,
    )
    return Found(first, second, period, names, xs, ys, found, chart, sentences)
