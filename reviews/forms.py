from __future__ import annotations

from django import forms

from reviews.models import ReminderPreference


class ReminderPreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["frequency", "due_soon", "missing_updates", "readings_due", "reviews"]
        labels = {"frequency": "How often"}
        widgets = {"frequency": forms.RadioSelect}
