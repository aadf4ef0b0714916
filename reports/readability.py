"""How easy a text is to read: the Flesch reading ease score, for the public summary's words.

206.835 - 1.015 × (words per sentence) - 84.6 × (syllables per word). 60 to 70 is plain
English (a 13 to 15-year-old reads it easily), above 70 easier still; specialist writing
scores under 50. Syllables are counted the usual way, by groups of vowels, which is close
enough for a score. Plain Python, no Django.
"""

from __future__ import annotations

import re

PLAIN_ENGLISH = 60

WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
VOWELS = re.compile(r"[aeiouy]+")
SENTENCE_END = re.compile(r"[.!?:;]+(?:\s|$)")


def syllables(word: str) -> int:
    word = word.lower()
    count = len(VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # a silent e: "home", "since"
    return max(count, 1)


def flesch_reading_ease(blocks: list[str]) -> float:
    """The score of the text in ``blocks``: each block (a paragraph, a heading, a table cell,
    a list item) ends a sentence, as a reader takes it, whether or not it ends in a full stop."""
    sentences = words = syllable_count = 0
    for block in blocks:
        found = WORD.findall(block)
        if not found:
            continue
        sentences += max(1, len(SENTENCE_END.findall(block.strip() + " ")))
        words += len(found)
        syllable_count += sum(syllables(word) for word in found)
    if not words:
        return 100.0
    return 206.835 - 1.015 * words / sentences - 84.6 * syllable_count / words
