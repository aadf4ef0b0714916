"""A comment's text as a page shows it: escaped, its web addresses made links, its line breaks
kept, and the mentions of the people it names marked."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, urlize
from django.utils.safestring import SafeString, mark_safe

from comments import mentions

register = template.Library()


def _plain(text: str) -> str:
    # urlize escapes everything that is not a link, and links only http(s) and www. addresses
    # (never javascript: or data:), with rel="nofollow".
    return urlize(text, nofollow=True, autoescape=True).replace("\n", "<br>")


@register.filter
def comment_html(comment) -> SafeString:
    people = [(person.pk, person.full_name) for person in comment.mentioned.all()]
    parts = []
    for piece in mentions.pieces(comment.text.replace("\r\n", "\n"), people):
        if piece.person is None:
            parts.append(_plain(piece.text))
        else:
            parts.append(format_html('<strong class="mention">{}</strong>', piece.text))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above
