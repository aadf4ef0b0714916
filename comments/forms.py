from __future__ import annotations

from django import forms

from comments.models import Comment
from improveplan.limits import NOTE

TEXT_HELP = (
    "Plain text: web addresses become links. Type @ and a name to mention someone in the "
    "partnership; they are told."
)


class CommentForm(forms.Form):
    """A comment on an item, or a reply to one of its comments (``parent``)."""

    text = forms.CharField(
        label="Your comment",
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=TEXT_HELP,
    )
    parent = forms.ModelChoiceField(
        label="In reply to",
        queryset=Comment.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Reply to a comment that is shown on this page."},
    )

    def __init__(self, *args, kind: str, thing, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{kind}-{thing.pk}-comment-%s")
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Comment.objects.on(kind, thing).filter(
            hidden_at__isnull=True
        )


class CommentEditForm(forms.Form):
    text = forms.CharField(
        label="Your comment",
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=TEXT_HELP,
    )


class CommentHideForm(forms.Form):
    reason = forms.CharField(
        label="Why it is hidden",
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in its place to everyone who reads the comments, with your name.",
    )
