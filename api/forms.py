from __future__ import annotations

from django import forms
from django.conf import settings

from api.models import AccessToken
from improveplan.models import Partnership
from improveplan.text import one_line

LIFETIMES = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "A year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        validators=[one_line],
        help_text="What it is for, e.g. “Readings from the council's data warehouse”.",
    )
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        empty_label=None,
        help_text="A token reaches one partnership's data only.",
        error_messages={"invalid_choice": "Choose one of your partnerships."},
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=AccessToken.Scope.choices,
        initial=AccessToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text="Read and write: it may also add readings and post updates, as you may.",
    )
    days = forms.TypedChoiceField(label="Expires after", coerce=int, choices=[], initial=90)

    def __init__(self, *args, memberships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = Partnership.objects.filter(
            pk__in=[m.partnership_id for m in memberships]
        )
        self.fields["days"].choices = [
            (days, label) for days, label in LIFETIMES if days <= settings.API_TOKEN_MAX_DAYS
        ] or [(settings.API_TOKEN_MAX_DAYS, f"{settings.API_TOKEN_MAX_DAYS} days")]
