from __future__ import annotations

from django import forms

from actions.forms import PlanChoices
from actions.models import Action, Finding
from outcomes.models import Achievement, Proofing


class ProofingForm(forms.Form):
    """The four policy-proofing questions of an outcome, each with a finding and a note."""

    def __init__(self, *args, outcome, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outcome = outcome
        answers = {answer.topic: answer for answer in outcome.proofing.all()}
        for topic in Proofing.Topic:
            answer = answers.get(topic.value)
            self.fields[f"finding_{topic.value}"] = forms.ChoiceField(
                label=topic.label,
                choices=[("", "Not answered yet"), *Proofing.Finding.choices],
                required=False,
                help_text=topic.question,
                initial=answer.finding if answer else "",
            )
            self.fields[f"note_{topic.value}"] = forms.CharField(
                label=f"What we found: {topic.label.lower()}",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=5000,
                initial=answer.note if answer else "",
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        for topic in Proofing.Topic:
            finding = cleaned.get(f"finding_{topic.value}")
            note = (cleaned.get(f"note_{topic.value}") or "").strip()
            if finding == Proofing.Finding.CONCERN and not note:
                self.add_error(f"note_{topic.value}", "Say what was found, and what will be done.")
            if not finding and note:
                self.add_error(f"finding_{topic.value}", "Choose an answer, or clear the note.")
        return cleaned

    def save(self) -> None:
        for topic in Proofing.Topic:
            finding = self.cleaned_data[f"finding_{topic.value}"]
            note = self.cleaned_data[f"note_{topic.value}"].strip()
            if finding:
                Proofing.objects.update_or_create(
                    outcome=self.outcome, topic=topic, defaults={"finding": finding, "note": note}
                )
            else:
                Proofing.objects.filter(outcome=self.outcome, topic=topic).delete()


class AchievementForm(forms.ModelForm):
    class Meta:
        model = Achievement
        fields = ["statement", "order"]

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)

    def attach(self, parent) -> None:
        self.instance.outcome = parent


class FindingForm(forms.ModelForm):
    actions = PlanChoices(
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The actions that answer this finding.",
    )

    class Meta:
        model = Finding
        fields = ["key_question", "summary", "detail", "source", "actions"]
        widgets = {"detail": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, parent, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only this plan's actions may answer its findings.
        self.fields["actions"].queryset = Action.objects.filter(plan=parent)

    def attach(self, parent) -> None:
        self.instance.plan = parent
