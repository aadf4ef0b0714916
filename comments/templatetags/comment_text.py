"""A comment's text as a page shows it: escaped, its web addresses made links, its line breaks
kept, and the mentions of the people it names marked."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from comments import links, mentions

register = template.Library()


def _plain(text: str) -> str:
    """Escaped, with its web addresses as links (comments/links.py: only http, https and
    www. addresses) and its line breaks kept."""
    parts = [
        format_html('<a href="{}" rel="nofollow noopener">{}</a>', target, written)
        if target
        else escape(written)
        for written, target in links.pieces(text)
    ]
    return "".join(parts).replace("\n", "<br>")


@register.filter
def comment_html(comment) -> SafeString:
    people = [(person.pk, person.full_name) for person in comment.people_mentioned()]
    parts = []
    for piece in mentions.pieces(comment.text.replace("\r\n", "\n"), people):
        if piece.person is None:
            parts.append(_plain(piece.text))
        else:
            parts.append(format_html('<strong class="mention">{}</strong>', piece.text))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above


@register.filter
def with_nonce(tag: str, nonce: str) -> SafeString:
    """A tag from json_script carrying the page's CSP nonce, as every script of a page does."""
    marked = str(tag).replace(
        ' type="application/json">', f' type="application/json" nonce="{escape(nonce)}">', 1
    )
    return mark_safe(marked)  # noqa: S308 - json_script's tag, with an escaped attribute
