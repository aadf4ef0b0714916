"""How much text a person may write in each kind of field: generous for what people write,
bounded so that no page, email or PDF has to lay out megabytes. Every TextField takes one of
these as its max_length; forms show it and refuse more, and every other way in (the
spreadsheet imports, the partnership import) checks the fields' max_length too."""

from __future__ import annotations

# A page or two: descriptions, evidence, why an outcome matters, an update's note.
LONG_TEXT = 10_000
# A paragraph: a reason, a comment, a list of who took part.
NOTE = 2_000
