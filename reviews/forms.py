from __future__ import annotations

from datetime import date, timedelta

from django import forms

from actions.forms import PlanChoices
from actions.models import Action
from improveplan.limits import LONG_TEXT, NOTE
from improveplan.models import Membership, Notification
from improveplan.text import one_line
from outcomes.forms import check_digits
from outcomes.models import Outcome, Reading
from reviews import peer, periods
from reviews.ingredients import INGREDIENTS, SCORES
from reviews.models import (
    BoardPack,
    Decision,
    HealthCheck,
    OutcomeJudgement,
    PeerReviewer,
    ReminderPreference,
    Review,
    ReviewSchedule,
)
from reviews.periods import period_of, periods_around

NOTIFY_PREFIX = "notify_"


class ReminderPreferenceForm(forms.ModelForm):
    """One's reminder digest, and how each kind of notification reaches one
    (``notify_<kind>``: on the site only, by email at once, or in the digest)."""

    class Meta:
        model = ReminderPreference
        fields = ["frequency", "due_soon", "missing_updates", "readings_due", "reviews"]
        labels = {
            "frequency": "How often",
            "readings_due": "Readings due for my organisation's indicators, and readings behind"
            " their planned trajectory",
        }
        widgets = {"frequency": forms.RadioSelect}

    def __init__(self, *args, channels: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current = channels
        for kind, label in Notification.Kind.choices:
            # Left out of a post (an older page), a kind keeps the choice it has.
            self.fields[f"{NOTIFY_PREFIX}{kind}"] = forms.ChoiceField(
                label=label,
                choices=Notification.Channel.choices,
                initial=channels[kind],
                required=False,
                widget=forms.RadioSelect,
            )

    def notification_fields(self) -> list:
        return [field for field in self if field.name.startswith(NOTIFY_PREFIX)]

    def reminder_fields(self) -> list:
        return [field for field in self if not field.name.startswith(NOTIFY_PREFIX)]

    def channels(self) -> dict[str, str]:
        return {
            kind: self.cleaned_data.get(f"{NOTIFY_PREFIX}{kind}") or channel
            for kind, channel in self.current.items()
        }


class ReviewScheduleForm(forms.ModelForm):
    class Meta:
        model = ReviewSchedule
        fields = ["months"]


class ReviewForm(forms.Form):
    """Open a review: which period it covers, when it meets, who comes."""

    period = forms.ChoiceField(label="Period under review")
    meets_on = forms.DateField(label="Meeting date", widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE,
        help_text="One a line.",
    )

    def __init__(self, *args, plan, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        schedule = ReviewSchedule.objects.filter(plan=plan).first()
        months = schedule.months if schedule else ReviewSchedule.Every.QUARTER
        self.periods = {
            first.isoformat(): (first, last)
            for first, last in periods_around(today, months, back=4, ahead=1)
        }
        self.fields["period"].choices = [
            (key, periods.label(first, last)) for key, (first, last) in self.periods.items()
        ]
        self.fields["period"].initial = period_of(today, months)[0].isoformat()

    def clean_period(self) -> tuple:
        first, last = self.periods[self.cleaned_data["period"]]
        if Review.objects.filter(plan=self.plan, period_start=first).exists():
            raise forms.ValidationError(
                f"This plan already has a review for {periods.label(first, last)}. "
                "Open that review instead of starting another."
            )
        return first, last

    def clean_meets_on(self, field: str = "meets_on") -> date:
        day = self.cleaned_data[field]
        if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
            raise forms.ValidationError("Give a date between 2000 and 2100.")
        return day


class ReviewRecordForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["meets_on", "attendees", "lessons_learned", "actions_checked"]
        widgets = {
            "meets_on": forms.DateInput(attrs={"type": "date"}),
            "actions_checked": forms.CheckboxSelectMultiple,
        }
        labels = {"actions_checked": "Actions checked at the meeting"}
        field_classes = {"actions_checked": PlanChoices}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actions_checked"].queryset = Action.objects.filter(plan=self.instance.plan)

    def clean_meets_on(self) -> date:
        return ReviewForm.clean_meets_on(self)


class JudgementForm(forms.Form):
    outcome = forms.ModelChoiceField(queryset=Outcome.objects.none())
    rating = forms.ChoiceField(choices=OutcomeJudgement.Rating.choices)
    note = forms.CharField(
        label="Why, and what its indicators say",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=LONG_TEXT,
    )

    def __init__(self, *args, review: Review, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = review.plan.outcomes.all()
        self.fields["outcome"].error_messages["invalid_choice"] = (
            "Choose one of this plan's outcomes."
        )


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text", "taken_on", "outcomes", "actions"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "taken_on": forms.DateInput(attrs={"type": "date"}),
            "outcomes": forms.CheckboxSelectMultiple,
            "actions": forms.CheckboxSelectMultiple,
        }
        field_classes = {"outcomes": PlanChoices, "actions": PlanChoices}

    def __init__(self, *args, review: Review, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.review = review
        self.fields["outcomes"].queryset = review.plan.outcomes.all()
        self.fields["actions"].queryset = Action.objects.filter(plan=review.plan)
        self.fields["taken_on"].initial = review.meets_on

    def clean_taken_on(self) -> date:
        return ReviewForm.clean_meets_on(self, field="taken_on")


class CorrectionForm(forms.ModelForm):
    """A lead corrects a reading of a closed period; the reason is kept with the review."""

    reason = forms.CharField(
        label="Why it is being corrected",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE,
        help_text="Kept with the review that closed the period.",
    )

    class Meta:
        model = Reading
        fields = ["value", "lower", "upper", "source_note"]

    def clean(self) -> dict:
        cleaned = super().clean()
        check_digits(self, "value", "lower", "upper")
        value, lower, upper = (cleaned.get(name) for name in ("value", "lower", "upper"))
        if value is not None and lower is not None and lower > value:
            self.add_error("lower", f"The lower bound {lower} is above the value {value}.")
        if value is not None and upper is not None and upper < value:
            self.add_error("upper", f"The upper bound {upper} is below the value {value}.")
        if not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why this signed-off reading is being corrected.")
        return cleaned


class HealthCheckForm(forms.ModelForm):
    class Meta:
        model = HealthCheck
        fields = ["title", "opened_on"]
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if HealthCheck.objects.filter(
            partnership=self.instance.partnership, title__iexact=title
        ).exists():
            raise forms.ValidationError("This partnership already has a health check of that name.")
        return title

    def clean_opened_on(self) -> date:
        return ReviewForm.clean_meets_on(self, field="opened_on")


class HealthScoresForm(forms.Form):
    """One member's score, 1 to 5, and comment on each of the nine ingredients."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        refused = {
            "required": "Score this ingredient from 1 to 5.",
            "invalid_choice": "Score each ingredient from 1 (not true of us) to 5 (entirely "
            "true of us); %(value)s is not one of them.",
        }
        for slug, (name, statement) in INGREDIENTS.items():
            self.fields[f"score_{slug}"] = forms.TypedChoiceField(
                label=f"{name}: {statement}",
                choices=[(n, str(n)) for n in SCORES],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages=refused,
            )
            self.fields[f"comment_{slug}"] = forms.CharField(
                label=f"Comment on “{name}”", required=False, max_length=2000
            )

    def scores(self) -> dict[str, tuple[int, str]]:
        data = self.cleaned_data
        return {slug: (data[f"score_{slug}"], data[f"comment_{slug}"]) for slug in INGREDIENTS}


class PeerInviteForm(forms.Form):
    """A lead's invitation to a peer reviewer from outside the partnership."""

    name = forms.CharField(label="Their name", max_length=150, validators=[one_line])
    email = forms.EmailField(label="Their email address", max_length=254)
    days = forms.IntegerField(
        label="Days they may read the plan",
        min_value=1,
        max_value=PeerReviewer.MAX_DAYS,
        initial=PeerReviewer.DEFAULT_DAYS,
        help_text=f"From 1 to {PeerReviewer.MAX_DAYS}. Their access ends by itself after this.",
    )


class PeerAnswersForm(forms.Form):
    """A peer reviewer's answers, one box per question of each step (``reviews.peer``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for number, _title, questions in peer.steps():
            for slug, question in questions:
                self.fields[self.field_name(number, slug)] = forms.CharField(
                    label=question,
                    required=False,
                    max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    @staticmethod
    def field_name(number: int, slug: str) -> str:
        return f"answer_{number}_{slug}"

    def steps(self) -> list:
        """Each step's title and its bound fields, for the template."""
        return [
            (number, title, [self[self.field_name(number, slug)] for slug, _ in questions])
            for number, title, questions in peer.steps()
        ]

    def answers(self) -> dict[str, str]:
        return {
            f"{number}-{slug}": self.cleaned_data[self.field_name(number, slug)]
            for number, _title, questions in peer.steps()
            for slug, _ in questions
        }


# How far back a lead may send failed reminders again (as far as `send_reminders --status`
# looks); older ones an administrator sends again with `send_reminders --retry-failed`.
RESEND_WITHIN_DAYS = 7


class ResendFailedForm(forms.Form):
    """The day whose failed reminders a lead sends again."""

    day = forms.DateField(input_formats=["%Y-%m-%d"])

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        earliest = self.today - timedelta(days=RESEND_WITHIN_DAYS - 1)
        if not earliest <= day <= self.today:
            raise forms.ValidationError(
                f"Only the failed reminders of the last {RESEND_WITHIN_DAYS} days, "
                f"{earliest:%-d %B} to {self.today:%-d %B %Y}, can be sent again from here; "
                "an administrator can send older ones."
            )
        return day


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, membership) -> str:
        return (
            f"{membership.user} – {membership.organisation}, "
            f"{membership.get_role_display().lower()}"
        )


class BoardPackForm(forms.ModelForm):
    """Who receives a plan's board papers before each review meeting, and how long before."""

    others = MemberChoices(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="And these members",
        error_messages={"invalid_choice": "Choose members of this partnership."},
    )

    class Meta:
        model = BoardPack
        fields = ["days_before", "board_members", "others"]

    def __init__(self, *args, plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["others"].queryset = (
            Membership.objects.filter(partnership_id=plan.partnership_id)
            .select_related("user", "organisation")
            .order_by("user__full_name", "user__email")
        )
