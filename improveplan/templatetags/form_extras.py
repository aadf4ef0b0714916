"""What every form of the site shares: the one-time token and the list of its errors."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from improveplan import once

register = template.Library()


@register.simple_tag
def once_field() -> str:
    """The hidden one-time token of a form that adds something (improveplan/once.py)."""
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_token())


@register.filter
def after_label(message: str) -> str:
    """An error message as it reads after its field's label: "Needed when…" becomes
    "needed when…", but "URL …" or "A-07 …" keep their capitals."""
    text = str(message)
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
