"""The action plan's filters and sort order (django-filter)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone

from actions.models import Action
from improveplan.models import Organisation
from outcomes.models import Outcome

DUE_CHOICES = [
    ("overdue", "Overdue"),
    ("30", "In the next 30 days"),
    ("90", "In the next 90 days"),
]


def due_when(queryset, value: str):
    """Actions overdue, or due within the next 30 or 90 days."""
    today = timezone.localdate()
    if value == "overdue":
        return queryset.overdue(today)
    return queryset.filter(due__gte=today, due__lte=today + timedelta(days=int(value)))


class ActionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Action.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    lead_organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label="Lead organisation"
    )
    outcome = django_filters.ModelChoiceFilter(
        queryset=Outcome.objects.none(), field_name="outcomes", label="Outcome"
    )
    term = django_filters.ChoiceFilter(choices=Action.Term.choices)
    state = django_filters.ChoiceFilter(
        label="Open or closed",
        choices=[("open", "Open"), ("closed", "Closed or cancelled")],
        method="filter_state",
    )
    due = django_filters.ChoiceFilter(label="Due", choices=DUE_CHOICES, method="filter_due")
    order = django_filters.OrderingFilter(
        label="Sort by",
        fields=[
            ("number", "reference"),
            ("due", "due"),
            ("status", "status"),
            ("lead_organisation__name", "lead"),
            ("progress", "progress"),
        ],
        field_labels={
            "number": "Reference",
            "due": "Due date",
            "status": "Status",
            "lead_organisation__name": "Lead organisation",
            "progress": "Progress",
        },
    )

    class Meta:
        model = Action
        fields = ["status", "lead_organisation", "outcome", "term"]

    def __init__(self, *args, plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["lead_organisation"].queryset = plan.partnership.organisations.all()
        self.filters["outcome"].queryset = Outcome.objects.filter(plan=plan)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "closed":
            return queryset.exclude(pk__in=Action.objects.open().values("pk"))
        return queryset

    def filter_due(self, queryset, name, value):
        return due_when(queryset, value)


class MyActionsFilter(django_filters.FilterSet):
    """My actions: mine or my organisation's, by status and by when they are due."""

    whose = django_filters.ChoiceFilter(
        label="Whose",
        choices=[("mine", "Only those I own")],
        empty_label="All my organisation's",
        method="filter_whose",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    status = django_filters.MultipleChoiceFilter(
        choices=[
            (value, label)
            for value, label in Action.Status.choices
            if value not in (Action.Status.COMPLETE, Action.Status.CANCELLED)
        ],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    due = django_filters.ChoiceFilter(
        label="Due",
        choices=DUE_CHOICES,
        empty_label="Any time",
        method="filter_due",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Action
        fields = ["status"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_whose(self, queryset, name, value):
        return queryset.filter(owner=self.user) if value == "mine" else queryset

    def filter_due(self, queryset, name, value):
        return due_when(queryset, value)
