"""Who a comment mentions, and where: plain Python, no Django.

A person is mentioned by an at sign followed by their name as the site shows it ("@Pat
Partner"), in any case, and ending where a word ends; an at sign inside a word ("pat@example.org")
is an email address, not a mention. Only the people given (the members who
may read the item) can be mentioned: any other name after an at sign is plain text. Where two
names begin alike ("@Pat" and "@Pat Partner"), the longer one that the text holds is meant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

AT = "@"


@dataclass(frozen=True)
class Piece:
    """A run of a comment's text: plain, or a mention of one person (``person``, their id)."""

    text: str
    person: int | None = None


def _ends_a_word(text: str, at: int) -> bool:
    return at >= len(text) or not (text[at].isalnum() or text[at] == "_")


def _inside_a_word(text: str, at: int) -> bool:
    return at > 0 and (not _ends_a_word(text, at - 1) or text[at - 1] in ".@")


def pieces(text: str, people: Iterable[tuple[int, str]]) -> list[Piece]:
    """The text cut into plain runs and mentions of these people, ``(id, name)``."""
    names = sorted(
        ((name.casefold(), len(name), pk) for pk, name in people if name.strip()),
        key=lambda found: -found[1],
    )
    found: list[Piece] = []
    plain_from = 0
    at = text.find(AT)
    while at != -1:
        start = at + 1
        if _inside_a_word(text, at):
            at = text.find(AT, start)
            continue
        match = next(
            (
                (length, pk)
                for folded, length, pk in names
                if text[start : start + length].casefold() == folded
                and _ends_a_word(text, start + length)
            ),
            None,
        )
        if match is None:
            at = text.find(AT, start)
            continue
        length, pk = match
        if at > plain_from:
            found.append(Piece(text[plain_from:at]))
        found.append(Piece(text[at : start + length], pk))
        plain_from = start + length
        at = text.find(AT, plain_from)
    if plain_from < len(text):
        found.append(Piece(text[plain_from:]))
    return found


def mentioned(text: str, people: Iterable[tuple[int, str]]) -> list[int]:
    """The ids of the people the text mentions, each once, in the order first mentioned.
    Two people of the same name are both mentioned by it: the text cannot tell them apart."""
    people = list(people)
    named: dict[str, list[int]] = {}
    for pk, name in people:
        named.setdefault(name.casefold(), []).append(pk)
    ids: list[int] = []
    for piece in pieces(text, people):
        if piece.person is None:
            continue
        for pk in named[piece.text.removeprefix(AT).casefold()]:
            if pk not in ids:
                ids.append(pk)
    return ids
