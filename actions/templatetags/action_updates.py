"""``{{ action|updates_stamp }}``: what the page's history of updates shows, for
static/improveplan/live.js to ask whether there is anything new."""

from __future__ import annotations

from django import template

from actions import models

register = template.Library()


@register.filter
def updates_stamp(action) -> str:
    return models.updates_stamp(update.pk for update in action.updates.all())
