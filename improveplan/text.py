"""Text that must stay on one line: titles and names, and the subjects of emails.

A title is shown in headings, page titles, file names and email subjects; a line break in it
("Evil plan\\r\\nBcc: …") would split a header, so titles refuse one, and every subject is
folded onto one line before it is sent, whatever it is built from."""

from __future__ import annotations

from django.core.exceptions import ValidationError

# What str.splitlines() breaks a line on.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
ONE_LINE_MESSAGE = "Keep this to one line: it may not contain a line break."


def one_line(value: str) -> None:
    """Validator for titles and names."""
    if any(character in LINE_BREAKS for character in str(value)):
        raise ValidationError(ONE_LINE_MESSAGE, code="one_line")


def one_line_problems(obj) -> list[str]:
    """The one-line fields of a model instance that hold a line break, by verbose name (for
    rows that reach the database without a form: imports)."""
    return [
        str(field.verbose_name)
        for field in obj._meta.concrete_fields
        if one_line in getattr(field, "validators", [])
        and any(character in LINE_BREAKS for character in str(getattr(obj, field.attname) or ""))
    ]


def email_subject(text: str) -> str:
    """An email subject on one line: every line break and run of spaces becomes one space."""
    return " ".join(str(text).split())
