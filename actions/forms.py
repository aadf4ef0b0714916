from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Sum

from actions import dependencies, money
from actions.models import (
    Action,
    Allocation,
    Budget,
    Communication,
    Contribution,
    Criterion,
    Declaration,
    DueDateProposal,
    ExpectedEffect,
    Milestone,
    Option,
    OptionEffect,
    Scenario,
    Stakeholder,
    counted_option_effects,
)
from actions.versions import NO_OUTCOMES, not_yet_smart
from improveplan.forms import PartnershipOrganisationField, counted
from improveplan.limits import NOTE
from improveplan.models import Organisation, Plan, User
from outcomes.forms import DATE_WIDGET, EFFECT_FIELDS, RiskForm, check_effect, check_period
from outcomes.models import Achievement, ExternalFactor, Indicator, Outcome
from outcomes.units import format_money

BIGGEST_ID = 2**63 - 1


class PlanChoices(forms.ModelMultipleChoiceField):
    """Several of this plan's things by id; an id too large for the database is simply not
    one of them (Django would otherwise pass it to the database and fail there)."""

    def _check_values(self, value):
        for pk in value:
            try:
                if not 0 < int(pk) <= BIGGEST_ID:
                    raise ValueError
            except (TypeError, ValueError):
                raise forms.ValidationError(
                    "Choose from this plan.", code="invalid_pk_value"
                ) from None
        return super()._check_values(value)


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "description", "weight", "order"]

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = parent
        self.fields["weight"].widget.attrs.update(min=1, max=10)

    def attach(self, parent) -> None:
        self.instance.plan = parent

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Criterion.objects.filter(plan=self.plan, name=name)
        clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("This plan already has a criterion of that name.")
        return name


class OptionForm(forms.ModelForm):
    class Meta:
        model = Option
        fields = [
            "kind",
            "title",
            "description",
            "evidence",
            "cost",
            "plausibility",
            "is_pilot",
            "pilot_evaluation",
            "exit_plan",
            "risk_notes",
            "unintended_effects",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "description",
                "evidence",
                "pilot_evaluation",
                "exit_plan",
                "risk_notes",
                "unintended_effects",
            )
        }

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)

    def attach(self, parent) -> None:
        self.instance.outcome = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == Option.Kind.LESS and not cleaned.get("exit_plan", "").strip():
            self.add_error("exit_plan", "Doing less needs a plan for winding down safely.")
        if cleaned.get("is_pilot") and not cleaned.get("pilot_evaluation", "").strip():
            self.add_error("pilot_evaluation", "Say how the pilot will be evaluated.")
        cost = cleaned.get("cost")
        if cost is not None and cost < 0:
            self.add_error("cost", "A cost cannot be negative.")
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Option.Decision.choices)
    decision_reason = forms.CharField(
        label="Why", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ScoreGridForm(forms.Form):
    """One 0–5 score and a note for each criterion, for one option."""

    def __init__(self, *args, option: Option, criteria, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        existing = {score.criterion_id: score for score in option.scores.all()}
        # 5 is always the good end, whatever the criterion (for risk: the least risk).
        words = {0: "0 (worst)", 5: "5 (best)"}
        choices = [("", "Not scored")] + [(str(n), words.get(n, str(n))) for n in range(6)]
        for criterion in criteria:
            score = existing.get(criterion.pk)
            meaning = f"{criterion.description} " if criterion.description else ""
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} (weight {criterion.weight})",
                help_text=f"{meaning}0 is the worst, 5 the best.",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=score.score if score else "",
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=f"Note on {criterion.name}",
                max_length=300,
                required=False,
                initial=score.note if score else "",
            )


class OptionToActionsForm(forms.Form):
    titles = forms.CharField(
        label="The actions, one to a line",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="Each becomes an action serving this outcome; add dates, owners and "
        "measures on its page.",
    )
    lead_organisation = PartnershipOrganisationField(queryset=Organisation.objects.none())

    def __init__(self, *args, partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = partnership.organisations.all()


class GapToActionForm(forms.Form):
    title = forms.CharField(
        label="The action",
        max_length=200,
        help_text="What will be done to find out. Add dates, an owner and a measure of "
        "success on its page.",
    )
    lead_organisation = PartnershipOrganisationField(queryset=Organisation.objects.none())

    def __init__(self, *args, partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = partnership.organisations.all()


class PlanRiskForm(RiskForm):
    """A risk in the plan's register: to the whole plan or to one outcome, with the actions
    and options of the plan it threatens."""

    threatened_actions = forms.ModelMultipleChoiceField(
        queryset=Action.objects.none(),
        required=False,
        label="Actions it threatens",
        widget=forms.CheckboxSelectMultiple,
    )
    threatened_options = forms.ModelMultipleChoiceField(
        queryset=Option.objects.none(),
        required=False,
        label="Options it threatens",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta(RiskForm.Meta):
        fields = ["outcome", *RiskForm.Meta.fields]

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, parent=parent, **kwargs)
        plan = self.plan
        self.fields["outcome"].queryset = Outcome.objects.filter(plan=plan)
        self.fields["outcome"].empty_label = "The whole plan"
        self.fields["threatened_actions"].queryset = Action.objects.filter(plan=plan)
        self.fields["threatened_options"].queryset = Option.objects.filter(outcome__plan=plan)
        for name in ("outcome", "threatened_actions", "threatened_options"):
            self.fields[name].error_messages["invalid_choice"] = "Choose from this plan."
            self.fields[name].error_messages["invalid_pk_value"] = "Choose from this plan."
        if self.instance.pk:
            self.initial["threatened_actions"] = list(self.instance.threatened_actions.all())
            self.initial["threatened_options"] = list(self.instance.threatened_options.all())

    def attach(self, parent) -> None:
        self.instance.plan = parent

    def save(self, commit: bool = True):
        risk = super().save(commit=commit)
        if commit:
            risk.threatened_actions.set(self.cleaned_data["threatened_actions"])
            risk.threatened_options.set(self.cleaned_data["threatened_options"])
        return risk


class OwnerSelect(forms.Select):
    """The owner list, each member marked with their organisation. Members outside the lead
    organisation are not offered (hidden and disabled); ``static/actions/action_form.js``
    follows a change of lead in the browser, and without it the form's refusal does."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_of: dict[str, str] = {}  # user pk → organisation pk
        self.lead = ""  # the lead organisation's pk, or "" while none is chosen

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        organisation = self.organisation_of.get(str(value))
        if organisation:
            option["attrs"]["data-organisation"] = organisation
            if self.lead and organisation != self.lead:
                option["attrs"].update(hidden=True, disabled=True)
        return option


class ActionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lead_organisation = PartnershipOrganisationField(queryset=Organisation.objects.none())
    resource_provider = PartnershipOrganisationField(
        queryset=Organisation.objects.none(), required=False, label="Resources provided by"
    )

    class Meta:
        model = Action
        field_classes = {
            "outcomes": PlanChoices,
            "supporting_organisations": PlanChoices,
            "depends_on": PlanChoices,
        }
        help_texts = {"owner": "A member of the lead organisation."}
        fields = [
            "title",
            "description",
            "outcomes",
            "option",
            "lead_organisation",
            "owner",
            "supporting_organisations",
            "start",
            "due",
            "term",
            "is_key",
            "resource_amount",
            "resource_provider",
            "staff_time",
            "expected_outputs",
            "expected_outcomes",
            "success_indicator",
            "success_measure",
            "monitoring",
            "corporate_plan_ref",
            "status",
            "progress",
            "depends_on",
        ]
        widgets = {
            "start": DATE_WIDGET,
            "due": DATE_WIDGET,
            "owner": OwnerSelect,
            "outcomes": forms.CheckboxSelectMultiple,
            "supporting_organisations": forms.CheckboxSelectMultiple,
            "depends_on": forms.CheckboxSelectMultiple,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("description", "expected_outputs", "expected_outcomes", "monitoring")
            },
        }

    def __init__(self, *args, plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        partnership = plan.partnership
        organisations = partnership.organisations.all()
        self.fields["lead_organisation"].queryset = organisations
        self.fields["resource_provider"].queryset = organisations
        self.fields["supporting_organisations"].queryset = organisations
        self.fields["outcomes"].queryset = Outcome.objects.filter(plan=plan)
        self.fields["option"].queryset = Option.objects.filter(outcome__plan=plan)
        self.fields["success_indicator"].queryset = Indicator.objects.filter(plan=plan)
        self.fields["owner"].queryset = User.objects.filter(
            memberships__partnership=partnership
        ).order_by("full_name")
        others = Action.objects.filter(plan=plan)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.fields["version"].initial = self.instance.version
        self.fields["depends_on"].queryset = others
        self.fields["depends_on"].label = "Depends on these actions"
        for name in ("outcomes", "option", "success_indicator", "depends_on"):
            self.fields[name].error_messages["invalid_choice"] = "Choose from this plan."
            self.fields[name].error_messages["invalid_pk_value"] = "Choose from this plan."
        self.fields["owner"].error_messages["invalid_choice"] = (
            "Choose a member of this partnership."
        )
        owner = self.fields["owner"].widget
        owner.organisation_of = {
            str(user): str(organisation)
            for user, organisation in partnership.memberships.values_list(
                "user_id", "organisation_id"
            )
        }
        owner.lead = self._lead_organisation(organisations)
        counted(self.fields["title"])
        self.fields["progress"].widget.attrs.update(min=0, max=100)

    def _lead_organisation(self, organisations) -> str:
        """The lead organisation as the form stands: as posted, or as saved, or as offered."""
        if self.is_bound:
            posted = self.data.get(self.add_prefix("lead_organisation"), "")
            if (
                posted.isdigit()
                and len(posted) < 19
                and organisations.filter(pk=int(posted)).exists()
            ):
                return posted
            return ""
        lead = self.instance.lead_organisation_id or self.initial.get("lead_organisation")
        return str(getattr(lead, "pk", lead) or "")

    def clean(self) -> dict:
        cleaned = super().clean()
        check_period(self, "start")
        check_period(self, "due")
        start, due = cleaned.get("start"), cleaned.get("due")
        if start and due and due < start:
            self.add_error("due", "The due date cannot come before the start.")
        owner, lead = cleaned.get("owner"), cleaned.get("lead_organisation")
        if (
            owner
            and lead
            and not owner.memberships.filter(
                partnership=self.plan.partnership, organisation=lead
            ).exists()
        ):
            self.add_error("owner", f"The owner must work for the lead organisation, {lead}.")
        amount = cleaned.get("resource_amount")
        if amount is not None and amount < 0:
            self.add_error("resource_amount", "Resources cannot be negative.")
        depends = cleaned.get("depends_on")
        if depends is not None and self.instance.pk:
            edges = {
                action_id: set()
                for action_id in Action.objects.filter(plan=self.plan).values_list("pk", flat=True)
            }
            for from_id, to_id in Action.depends_on.through.objects.filter(
                from_action__plan=self.plan
            ).values_list("from_action_id", "to_action_id"):
                edges[from_id].add(to_id)
            cycle = dependencies.would_create_cycle(
                {str(k): [str(v) for v in vs] for k, vs in edges.items()},
                str(self.instance.pk),
                [str(action.pk) for action in depends],
            )
            if cycle:
                names = dict(Action.objects.filter(plan=self.plan).values_list("pk", "reference"))
                path = " → ".join(names.get(int(key), key) for key in cycle)
                self.add_error("depends_on", f"That would make a circle: {path}.")
        return cleaned


class UpdateForm(forms.Form):
    status = forms.ChoiceField(choices=Action.Status.choices)
    progress = forms.IntegerField(label="Progress (%)", min_value=0, max_value=100)
    note = forms.CharField(
        label="What has happened",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    evidence_link = forms.URLField(
        label="Link to evidence", required=False, assume_scheme="https", max_length=200
    )
    evidence_file = forms.FileField(
        label="Evidence file",
        required=False,
        help_text="PDF, Word, Excel, CSV, PNG or JPEG, up to 10 MB.",
    )
    completion_evidence = forms.CharField(
        label="Evidence that it is complete",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text="Needed when you mark the action complete.",
    )
    lessons_learned = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text="Needed when you mark the action complete: what would you do again, or not?",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") == Action.Status.COMPLETE:
            for name in ("completion_evidence", "lessons_learned"):
                if not cleaned.get(name, "").strip():
                    self.add_error(name, "Needed when the action is complete.")
        return cleaned


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due", "done"]
        widgets = {"due": DATE_WIDGET}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)

    def attach(self, parent) -> None:
        self.instance.action = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        check_period(self, "due")
        return cleaned


class ExpectedEffectForm(forms.ModelForm):
    """What the action is expected to do to one of its plan's indicators (issue 26)."""

    class Meta:
        model = ExpectedEffect
        fields = ["indicator", *EFFECT_FIELDS]
        widgets = {"starts": DATE_WIDGET}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.action = parent
        # Only this plan's indicators.
        self.fields["indicator"].queryset = Indicator.objects.filter(plan_id=parent.plan_id)

    def attach(self, parent) -> None:
        self.instance.action = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        indicator = cleaned.get("indicator")
        if indicator is not None:
            check_effect(self, indicator)
            clash = ExpectedEffect.objects.filter(action=self.action, indicator=indicator)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("indicator", "This action has an effect on that indicator already.")
        return cleaned


class OptionEffectForm(forms.ModelForm):
    """What a favoured option is expected to do to one of its plan's indicators, before it is
    turned into actions (issue 26)."""

    class Meta:
        model = OptionEffect
        fields = ["indicator", *EFFECT_FIELDS]
        widgets = {"starts": DATE_WIDGET}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.option = parent
        self.fields["indicator"].queryset = Indicator.objects.filter(plan_id=parent.outcome.plan_id)

    def attach(self, parent) -> None:
        self.instance.option = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.option.decision != Option.Decision.FAVOURED:
            raise forms.ValidationError(
                "Only a favoured option's expected effects are counted: decide on it first."
            )
        indicator = cleaned.get("indicator")
        if indicator is not None:
            check_effect(self, indicator)
            clash = OptionEffect.objects.filter(option=self.option, indicator=indicator)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("indicator", "This option has an effect on that indicator already.")
        return cleaned


class ScenarioForm(forms.ModelForm):
    """A named set of assumptions: the actions whose effects it counts on, and the external
    factors it assumes (issue 26)."""

    class Meta:
        model = Scenario
        fields = ["name", "actions", "options", "external_factors", "agreed"]
        widgets = {
            "actions": forms.CheckboxSelectMultiple,
            "options": forms.CheckboxSelectMultiple,
            "external_factors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = parent
        # Only this plan's actions that state an effect, and its indicators' external factors.
        self.fields["actions"].queryset = (
            Action.objects.filter(plan=parent, expected_effects__isnull=False)
            .distinct()
            .order_by("number")
        )
        # Favoured options with an effect of their own still counted (not yet carried by an
        # action made from them).
        self.fields["options"].queryset = Option.objects.filter(
            pk__in=counted_option_effects(plan=parent).values("option_id")
        )
        self.fields["external_factors"].queryset = ExternalFactor.objects.filter(
            indicator__plan=parent
        ).select_related("indicator")
        self.fields["external_factors"].label_from_instance = lambda factor: (
            f"{factor.name} ({factor.indicator.code})"
        )

    def attach(self, parent) -> None:
        self.instance.plan = parent

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Scenario.objects.filter(plan=self.plan, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This plan has a scenario of that name already.")
        return name

    def save(self, commit: bool = True):
        # One agreed scenario a plan: agreeing this one sets the others aside.
        if self.cleaned_data.get("agreed"):
            others = Scenario.objects.filter(plan=self.plan, agreed=True)
            for other in others.exclude(pk=self.instance.pk):
                other.agreed = False
                other.save(update_fields=["agreed"])
        return super().save(commit)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Why it is not complete yet",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class DueDateProposalForm(forms.ModelForm):
    class Meta:
        model = DueDateProposal
        fields = ["proposed_due", "reason"]
        widgets = {"proposed_due": DATE_WIDGET, "reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"reason": "A lead of the plan reads it before accepting or declining."}


class DueDateAnswerForm(forms.Form):
    answer = forms.TypedChoiceField(
        label="Your answer",
        choices=[("accept", "Accept: move the due date"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "accept",
    )
    answer_reason = forms.CharField(
        label="Your reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you decline; the person who asked sees it.",
    )


class ActionPlanImportForm(forms.Form):
    file = forms.FileField(
        label="The action plan workbook (.xlsx)",
        help_text="Download the action plan, edit it, and upload it here. The whole file is "
        "saved, or nothing is.",
    )


class PlanAgreeForm(forms.Form):
    """Agreeing a plan: a reason is needed only when some of its actions are not yet SMART.
    (Status is not on PlanForm: agreeing freezes a version, so it has its own page.)"""

    smart_exception_reason = forms.CharField(
        label="Why the plan may be agreed with actions that are not yet SMART",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.not_smart = not_yet_smart(plan)
        if not self.not_smart:
            del self.fields["smart_exception_reason"]
        elif not self.is_bound:
            self.initial["smart_exception_reason"] = plan.smart_exception_reason

    def clean_smart_exception_reason(self) -> str:
        reason = self.cleaned_data["smart_exception_reason"].strip()
        if self.not_smart and not reason:
            count = len(self.not_smart)
            listed = ", ".join(self.not_smart[:10]) + ("…" if count > 10 else "")
            raise forms.ValidationError(
                f"{count} action{'s are' if count > 1 else ' is'} not yet SMART ({listed}). "
                "Make them SMART, or say here why the plan may be agreed anyway."
            )
        return reason

    def clean(self):
        if not self.plan.outcomes.exists():
            raise forms.ValidationError(NO_OUTCOMES)
        return super().clean()


QUARTER_NAMES = {
    1: "January to March",
    4: "April to June",
    7: "July to September",
    10: "October to December",
}


def quarters_of(plan, *, today) -> list[tuple[str, str]]:
    """The plan's quarters up to today's, latest first: (first day, "April to June 2026")."""
    day = plan.period_start.replace(day=1, month=(plan.period_start.month - 1) // 3 * 3 + 1)
    last = min(plan.period_end, today)
    found = []
    while day <= last:
        found.append((day.isoformat(), f"{QUARTER_NAMES[day.month]} {day.year}"))
        day = (
            day.replace(year=day.year + 1, month=1)
            if day.month == 10
            else day.replace(month=day.month + 3)
        )
    return found[::-1]


class SpendForm(forms.Form):
    """What was spent on an action in a quarter."""

    quarter = forms.ChoiceField(label="Quarter")
    amount = forms.DecimalField(
        label="Spent (£)", min_value=0, max_digits=12, decimal_places=2, localize=False
    )
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")

    def __init__(self, *args, plan, today, **kwargs) -> None:
        # Ids of its own: the action's page also has the update form, with a note of its own.
        kwargs.setdefault("auto_id", "id_spend_%s")
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = quarters_of(plan, today=today)


# Issue 24: the pooled budget, contributions, allocations and money moved -------------------

MONEY = {"max_digits": 12, "decimal_places": 2, "localize": False}


class BudgetForm(forms.ModelForm):
    """The plan's pooled budget. It cannot fall below what is already allocated."""

    class Meta:
        model = Budget
        fields = ["amount", "note"]
        labels = {"amount": "Pooled budget (£)", "note": "Note (optional)"}

    def __init__(self, *args, plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["amount"].min_value = 0

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        allocated = Allocation.objects.filter(plan=self.plan).aggregate(total=Sum("amount"))
        allocated = allocated["total"] or 0
        if amount < allocated:
            raise forms.ValidationError(
                f"{format_money(allocated)} of the budget is already allocated to outcomes: "
                "reduce those allocations first, or keep the budget at least that much."
            )
        return amount


class ContributionForm(forms.ModelForm):
    """What one partner organisation puts into the pooled budget."""

    organisation = PartnershipOrganisationField(
        queryset=Organisation.objects.none(), label="Partner organisation"
    )

    class Meta:
        model = Contribution
        fields = ["organisation", "amount", "kind", "note"]
        labels = {"amount": "Amount (£)", "kind": "Cash or in kind", "note": "Note (optional)"}
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = parent
        self.fields["organisation"].queryset = parent.partnership.organisations.all()

    def attach(self, parent) -> None:
        self.instance.plan = parent

    def clean(self) -> dict:
        cleaned = super().clean()
        organisation, kind = cleaned.get("organisation"), cleaned.get("kind")
        if organisation and kind:
            clash = Contribution.objects.filter(
                plan=self.plan, organisation=organisation, kind=kind
            )
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "organisation",
                    f"{organisation.name} already has a contribution "
                    f"{'in cash' if kind == Contribution.Kind.CASH else 'in kind'}: edit that one.",
                )
        return cleaned


class AllocationForm(forms.ModelForm):
    """The part of the pooled budget given to one outcome: never more than the budget has
    left."""

    class Meta:
        model = Allocation
        fields = ["outcome", "amount"]
        labels = {"amount": "Allocated (£)"}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = parent
        taken = Allocation.objects.filter(plan=parent).exclude(pk=self.instance.pk)
        self.fields["outcome"].queryset = Outcome.objects.filter(plan=parent).exclude(
            pk__in=taken.values("outcome_id")
        )
        self.fields["outcome"].error_messages["invalid_choice"] = (
            "Choose an outcome of this plan that has no allocation yet."
        )

    def attach(self, parent) -> None:
        self.instance.plan = parent

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        budget = Budget.objects.filter(plan=self.plan).values_list("amount", flat=True).first()
        elsewhere = (
            Allocation.objects.filter(plan=self.plan)
            .exclude(pk=self.instance.pk)
            .aggregate(total=Sum("amount"))["total"]
            or 0
        )
        if problem := money.allocation_problem(budget, elsewhere, amount):
            raise forms.ValidationError(problem)
        return amount


class MoneyMoveForm(forms.Form):
    """A decision to move money from one outcome's allocation to another's."""

    from_outcome = forms.ModelChoiceField(queryset=Outcome.objects.none(), label="Move from")
    to_outcome = forms.ModelChoiceField(queryset=Outcome.objects.none(), label="Move to")
    amount = forms.DecimalField(label="Amount (£)", min_value=Decimal("0.01"), **MONEY)
    reason = forms.CharField(
        label="Why",
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The reason the partnership gave, for the record of decisions.",
    )

    def __init__(self, *args, plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        outcomes = Outcome.objects.filter(plan=plan)
        self.fields["from_outcome"].queryset = outcomes.filter(allocation__amount__gt=0)
        self.fields["to_outcome"].queryset = outcomes
        for name in ("from_outcome", "to_outcome"):
            self.fields[name].error_messages["invalid_choice"] = (
                "Choose an outcome of this plan"
                + (" that has money allocated." if name == "from_outcome" else ".")
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("from_outcome") and cleaned.get("from_outcome") == cleaned.get("to_outcome"):
            self.add_error("to_outcome", "Choose a different outcome to move the money to.")
        return cleaned


# Issue 24: the plan's frame ------------------------------------------------------------------


class StakeholderForm(forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = ["name", "interest", "consultation", "frequency", "relationship_holder"]
        widgets = {"interest": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relationship_holder"].queryset = User.objects.filter(
            memberships__partnership=parent.partnership
        ).order_by("full_name")
        self.fields["relationship_holder"].error_messages["invalid_choice"] = (
            "Choose a member of this partnership."
        )

    def attach(self, parent) -> None:
        self.instance.plan = parent


class CommunicationForm(forms.ModelForm):
    class Meta:
        model = Communication
        fields = ["audience", "message", "channel", "timing", "action"]
        widgets = {"message": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"action": "The action that does it, if there is one."}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.filter(plan=parent).order_by("number")
        self.fields["action"].error_messages["invalid_choice"] = "Choose from this plan."

    def attach(self, parent) -> None:
        self.instance.plan = parent


class DeclarationForm(forms.ModelForm):
    """A member declares an interest of their own: the member is whoever sends the form."""

    class Meta:
        model = Declaration
        fields = ["option", "interest"]
        widgets = {"interest": forms.Textarea(attrs={"rows": 3})}
        labels = {"option": "In which option"}
        help_texts = {
            "interest": "What links you, or your organisation, to the option or the decision: "
            "a contract, a service you run, a relative, a grant.",
        }

    def __init__(self, *args, plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = Option.objects.filter(outcome__plan=plan).order_by(
            "outcome__priority", "title"
        )
        self.fields["option"].empty_label = "The plan's decisions as a whole"
        self.fields["option"].error_messages["invalid_choice"] = "Choose from this plan."


class AchievementActionsForm(forms.Form):
    """The actions that lead to one future-basing achievement."""

    actions = PlanChoices(
        queryset=Action.objects.none(),
        required=False,
        label="Actions that lead to it",
        widget=forms.CheckboxSelectMultiple,
    )
    key = PlanChoices(
        queryset=Action.objects.none(),
        required=False,
        label="Of those, the key actions",
        widget=forms.CheckboxSelectMultiple,
        help_text="A key action is tracked closely: first in the board report, and its owner "
        "is reminded each week. Mark at least the one the achievement most depends on.",
    )

    def __init__(self, *args, achievement: Achievement, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = Action.objects.filter(
            plan_id=achievement.outcome.plan_id
        ).order_by("number")
        self.fields["actions"].label_from_instance = lambda action: (
            f"{action.reference} {action.title}{' (key)' if action.is_key else ''}"
        )
        self.fields["key"].queryset = self.fields["actions"].queryset
        self.fields["key"].label_from_instance = lambda action: f"{action.reference} {action.title}"
        linked = list(achievement.actions.all())
        self.fields["actions"].initial = [action.pk for action in linked]
        self.fields["key"].initial = [action.pk for action in linked if action.is_key]

    def clean(self) -> dict:
        cleaned = super().clean()
        if set(cleaned.get("key") or []) - set(cleaned.get("actions") or []):
            self.add_error("key", "A key action must also be one that leads to it.")
        return cleaned
