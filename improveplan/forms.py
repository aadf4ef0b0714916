from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Value
from django.db.models.functions import Lower

from improveplan.models import Membership, Organisation, Partnership, Plan, Role, SignUp, User
from improveplan.text import one_line


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": "That email address and password do not match an account.",
    }


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind"]
        labels = {"name": "Organisation name", "kind": "Kind of organisation"}

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        # Compare as the database constraint does (LOWER on both sides): iexact uses UPPER
        # on PostgreSQL, and the two disagree for letters such as the dotted capital İ.
        clash = Organisation.objects.alias(lowered=Lower("name")).filter(
            partnership=self.partnership, lowered=Lower(Value(name))
        )
        clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                "This partnership already has an organisation of that name."
            )
        return name


class PartnershipOrganisationField(forms.ModelChoiceField):
    """Offers, and accepts, only the organisations of one partnership."""

    default_error_messages = {
        "invalid_choice": "Choose one of this partnership's organisations.",
    }


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    organisation = PartnershipOrganisationField(
        queryset=Organisation.objects.none(),
        help_text="The member body the person works for.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.PARTNER)

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = partnership.organisations.all()
        self.fields["role"].help_text = " ".join(
            f"{role.label}: {role.description}" for role in Role
        )


class MembershipForm(forms.ModelForm):
    organisation = PartnershipOrganisationField(queryset=Organisation.objects.none())

    class Meta:
        model = Membership
        fields = ["role", "organisation"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = self.instance.partnership.organisations.all()


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "title",
            "period_start",
            "period_end",
            "vision",
            "vision_date",
            "method",
            "outcome_limit",
            "indicator_limit",
            "trend_minimum_points",
            "scope",
            "manager",
            "expected_rating",
            "reinspection_date",
        ]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 3}),
            "reinspection_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "vision_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "vision": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "method": "The way of working the plan follows. Every method uses the same outcomes, "
            "indicators and actions.",
            "outcome_limit": "Few outcomes keep a partnership focused: the plan warns above this.",
            "indicator_limit": "The plan warns when an outcome has more indicators than this.",
            "trend_minimum_points": "A trend is called a trend only with at least this many "
            "readings (public health profiles use five); with fewer, a status says it is "
            "based on only a few readings, and still shows its forecast and range.",
            "expected_rating": "For a care-service plan: the rating the plan aims to earn.",
            "reinspection_date": "For a care-service plan: when the inspector is expected back.",
        }

    def __init__(self, *args, partnership=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        partnership = partnership or getattr(self.instance, "partnership", None)
        self.fields["manager"].queryset = User.objects.filter(
            memberships__partnership=partnership
        ).order_by("full_name")
        self.fields["manager"].error_messages["invalid_choice"] = (
            "Choose a member of this partnership."
        )
        # A post without it (a script, an older page) keeps the plan's setting.
        self.fields["trend_minimum_points"].required = False

    def clean_trend_minimum_points(self) -> int:
        number = self.cleaned_data.get("trend_minimum_points")
        return self.instance.trend_minimum_points if number is None else number

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", "The plan must end after it starts.")
        return cleaned


class NewMemberForm(forms.Form):
    """The invited person's name and password, when they have no account yet."""

    full_name = forms.CharField(label="Your full name", max_length=150, validators=[one_line])
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are different.")
        elif first:
            probe = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def counted(field: forms.CharField) -> None:
    """A text field that shows its limit and a live count (``static/improveplan/counter.js``)
    instead of the browser cutting pasted text at the limit without a word; the form
    refuses a longer text with a message."""
    limit = field.max_length
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs["data-limit"] = limit
    field.error_messages["max_length"] = (
        f"Shorten it to {limit} characters at most: it has %(show_value)d."
    )


class SignUpForm(forms.ModelForm):
    """A member confirms, for their own organisation, its part in the agreed plan."""

    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": "Tick the box to confirm your organisation's part."},
    )

    class Meta:
        model = SignUp
        fields = ["job_title"]

    def __init__(self, *args, organisation, version, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = (
            f"I confirm, for {organisation}, its part in version {version.number} of the plan: "
            "the actions it leads and supports, and the resources it puts in."
        )
