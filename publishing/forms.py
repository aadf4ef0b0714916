from __future__ import annotations

from django import forms

from publishing import sites


class PublishForm(forms.Form):
    embed_sites = forms.CharField(
        label="Sites that may embed the charts",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The partnership's own websites, one a line, such as "
        "https://www.riverside.gov.uk. Leave empty if no site is to embed them.",
    )

    def clean_embed_sites(self) -> str:
        found, problems = sites.origins(self.cleaned_data["embed_sites"])
        if problems:
            raise forms.ValidationError(problems)
        return "\n".join(found)
