"""The questions a peer reviewer answers, step by step through the Five Steps (in our own
words, after the peer challenge appendix of "Five Steps to Better Outcomes"). A reviewer
from another partnership asks them of this plan: is its approach sound, and what might do
better? The slugs are stored with the answers; the wording may be improved freely."""

from __future__ import annotations

from methods.walk import STEPS

PEER_QUESTIONS: dict[int, tuple[tuple[str, str], ...]] = {
    1: (
        (
            "standing",
            "Does the plan show clearly how the area is doing against its local and national "
            "indicators and targets, and how that has changed?",
        ),
        ("comparison", "Does it compare the area fairly with others, and with similar places?"),
    ),
    2: (
        (
            "needs",
            "Has the partnership chosen the right needs to work on: across the whole area, in "
            "particular places, and among particular groups?",
        ),
        (
            "causes",
            "Does it understand what causes those needs, and what helps or hinders a change?",
        ),
        ("current_work", "Does it know what is already being done about them?"),
    ),
    3: (
        (
            "effect",
            "How well is the work already under way doing, on the evidence the plan shows?",
        ),
        (
            "likelihood",
            "Is the plan honest about how likely the targets are to be met on the present "
            "course, and about the size of the gap?",
        ),
        ("risks", "Are the critical factors and risks named, and is someone managing them?"),
    ),
    4: (
        (
            "options",
            "Were the options wide enough: more of what works, something new, the same thing "
            "done better, less of what does not?",
        ),
        ("evidence", "Is there good reason to think the favoured options will work here?"),
        ("choice", "Are the reasons for favouring them clear and sound?"),
    ),
    5: (
        (
            "actions",
            "Will the actions improve results enough, whether they start something new, do "
            "more or less of existing work, or improve it?",
        ),
        (
            "ideas",
            "What has worked in your own partnership, or elsewhere, that this one could try?",
        ),
    ),
}


def steps() -> list[tuple[int, str, tuple[tuple[str, str], ...]]]:
    """Each step's number, title and peer questions, in order."""
    return [
        (number, STEPS[number - 1][0], questions) for number, questions in PEER_QUESTIONS.items()
    ]


def question_keys() -> list[str]:
    """Every question's stored key, ``<step>-<slug>``, in order."""
    return [
        f"{number}-{slug}" for number, questions in PEER_QUESTIONS.items() for slug, _ in questions
    ]
