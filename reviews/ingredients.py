"""The nine ingredients of effective improvement in a partnership, as the health check asks
about them (in our own words). The slugs are stored; the wording may be improved freely."""

from __future__ import annotations

INGREDIENTS: dict[str, tuple[str, str]] = {
    "focus": (
        "A few outcomes that matter",
        "We concentrate on a small number of outcomes that matter to local people, and we "
        "talk about them constantly, in plain words.",
    ),
    "leadership": (
        "Leaders who model it",
        "Our leaders keep showing, in what they say and do, that improving results matters, "
        "and every partner accepts that we hold one another to account.",
    ),
    "staff": (
        "Staff who have a voice",
        "Staff at every level know what is expected of them, have a say, and get useful "
        "feedback on how things are going.",
    ),
    "golden_thread": (
        "A golden thread",
        "We can trace a line from each outcome to the strategy, the measures, the actions and "
        "who is accountable for them.",
    ),
    "measures": (
        "Few, balanced measures",
        "We use a small, balanced set of indicators, and we allow for their uncertainty when "
        "we set targets and read the results.",
    ),
    "resources": (
        "Resources for the work",
        "There is enough time and money to run and use our performance arrangements, and we "
        "know what measuring costs us.",
    ),
    "challenge": (
        "Open to challenge",
        "We invite challenge from peers, regulators and others, and we make national "
        "frameworks mean something locally.",
    ),
    "review": (
        "Reviews that lead to learning",
        "Our reviews are a tool for improvement, not paperwork: we can see which decisions "
        "made a difference.",
    ),
    "members": (
        "Members who ask for it",
        "Elected members and non-executives ask for and use information about outcomes, "
        "tailored to what they need.",
    ),
}
SCORES = range(1, 6)  # 1: not at all true of us … 5: entirely true of us
