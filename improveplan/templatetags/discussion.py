"""``{% discussion thing %}``: the comments at the foot of an item's page
(improveplan/discussion.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from improveplan.discussion import discussion_of

register = template.Library()


@register.simple_tag(takes_context=True, name="discussion")
def discussion_tag(context, thing) -> SafeString:
    request = context.get("request")
    if request is None or not hasattr(request, "membership"):
        return mark_safe("")
    return mark_safe(discussion_of(request, thing))  # noqa: S308 - rendered from a template
