"""The filters of each list, as the pages offer them: by plan, outcome, indicator, action,
status, organisation and dates."""

from __future__ import annotations

import datetime

import django_filters as filters
from django import forms
from django_filters.fields import IsoDateTimeField

from actions.models import Action, Milestone, Update
from improveplan.models import Plan
from outcomes.models import Comparator, Indicator, Outcome, Reading, Target


class IdFilter(filters.NumberFilter):
    """An id: a whole number that fits the database's ids. An id of something the person may
    not see filters to nothing, the same as an id nothing has, so ids reveal nothing."""

    field_class = forms.IntegerField

    def __init__(self, field_name: str, **kwargs) -> None:
        super().__init__(field_name=field_name, min_value=1, max_value=2**63 - 1, **kwargs)


class MomentField(IsoDateTimeField):
    """A moment as ISO 8601, its time zone within the ±14 hours the world's clocks use (the
    database holds offsets to ±16 hours, and a larger one would be its error, not a 400)."""

    LIMIT = datetime.timedelta(hours=14)

    def to_python(self, value):
        moment = super().to_python(value)
        offset = moment.utcoffset() if moment is not None else None
        if offset is not None and abs(offset) > self.LIMIT:
            raise forms.ValidationError(
                "Give a time zone offset between -14:00 and +14:00.", code="offset"
            )
        return moment


class MomentFilter(filters.IsoDateTimeFilter):
    field_class = MomentField


class PlanFilter(filters.FilterSet):
    partnership = IdFilter("partnership")

    class Meta:
        model = Plan
        fields = ["partnership", "status", "method"]


class OutcomeFilter(filters.FilterSet):
    plan = IdFilter("plan")

    class Meta:
        model = Outcome
        fields = ["plan"]


class IndicatorFilter(filters.FilterSet):
    plan = IdFilter("plan")
    outcome = IdFilter("outcome")
    owner = IdFilter("owner")

    class Meta:
        model = Indicator
        fields = ["plan", "outcome", "owner", "kind", "frequency"]


class ReadingFilter(filters.FilterSet):
    indicator = IdFilter("indicator")
    plan = IdFilter("indicator__plan")
    period_after = filters.DateFilter(field_name="period", lookup_expr="gte")
    period_before = filters.DateFilter(field_name="period", lookup_expr="lte")

    class Meta:
        model = Reading
        fields = ["indicator", "breakdown"]


class TargetFilter(filters.FilterSet):
    indicator = IdFilter("indicator")
    plan = IdFilter("indicator__plan")

    class Meta:
        model = Target
        fields = ["indicator", "kind"]


class ComparatorFilter(filters.FilterSet):
    indicator = IdFilter("indicator")
    plan = IdFilter("indicator__plan")

    class Meta:
        model = Comparator
        fields = ["indicator", "kind"]


class ActionFilter(filters.FilterSet):
    plan = IdFilter("plan")
    lead_organisation = IdFilter("lead_organisation")
    owner = IdFilter("owner")
    outcome = IdFilter("outcomes")
    due_before = filters.DateFilter(field_name="due", lookup_expr="lte")

    class Meta:
        model = Action
        fields = ["plan", "status", "closure", "lead_organisation", "owner", "term"]


class MilestoneFilter(filters.FilterSet):
    action = IdFilter("action")
    plan = IdFilter("action__plan")

    class Meta:
        model = Milestone
        fields = ["action", "done"]


class UpdateFilter(filters.FilterSet):
    action = IdFilter("action")
    author = IdFilter("author")
    plan = IdFilter("action__plan")
    since = MomentFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Update
        fields = ["action", "author", "status"]
