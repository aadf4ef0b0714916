"""Hostile input into the reviews app's forms: reviews and their decisions, health checks,
reminders, correcting a reading of a closed period, and peer challenge.

The values, the kinds of field and the checks are the core's (improveplan/tests/hostile.py,
which says what every post must do); here are the forms, and what the app adds to the world.
The PDF reports take no POST: the sweep in improveplan/tests/test_hostile_input.py checks
that their addresses refuse one.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core import signing
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from actions.tests.test_hostile_input import ACTIONS
from conftest import World
from improveplan.models import Notification, Organisation, Plan, User
from improveplan.services import invitation_token
from improveplan.tests.factories import PlanFactory
from improveplan.tests.hostile import (
    BOOLEAN,
    CORE,
    DATE,
    DECIMAL,
    EXAMPLES_PER_ACTIONS_BUTTON,
    EXAMPLES_PER_ACTIONS_FORM,
    FIXED,
    NEW_EMAIL,
    NEW_PASSWORD,
    NUMBER,
    RANDOM_TEXT,
    TEXT,
    Address,
    HostileForm,
    Kind,
    Layer,
    Targets,
    anonymous,
    at,
    board,
    by_pk,
    choice,
    fixed,
    foreign_or_absent_ids,
    hostile_tests_of,
    many_of,
    no_slash,
    other_partnership,
    our,
    our_partnership,
    partner,
    targets_in,
    their,
)
from improveplan.tests.kept_rows import kept_rows
from outcomes.tests.factories import ReadingFactory
from outcomes.tests.test_hostile_input import OUTCOMES
from reviews import peer
from reviews.ingredients import INGREDIENTS
from reviews.models import OutcomeJudgement, ReminderPreference
from reviews.periods import periods_around
from reviews.services import peer_token
from reviews.tests.factories import HealthCheckFactory, PeerReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _plan_contents(plan: Plan, owner: Organisation, made: dict[str, Model]) -> dict[str, Model]:
    """Issue 6: a review, and a reading of a period a signed-off review closed; a health
    check; peer challenge: a reviewer reading the plan, and one not yet arrived."""
    return {
        "review": ReviewFactory(plan=plan),
        "closed_review": ReviewFactory(
            plan=plan,
            period_start=date(1999, 10, 1),
            period_end=date(1999, 12, 31),
            meets_on=date(2000, 1, 20),
            signed_off_at=timezone.now(),
        ),
        "closed_reading": ReadingFactory(indicator=made["indicator"], period=date(1999, 12, 31)),
        "health_check": HealthCheckFactory(partnership=plan.partnership),
        "peer_reviewer": PeerReviewerFactory(plan=plan),
        "peer_invited": PeerReviewerFactory(
            plan=plan, user=None, accepted_at=None, email=f"peer{plan.pk}@elsewhere.example.org"
        ),
        # Issue 24: one of the partnership's templates.
        "template": PlanFactory(
            partnership=plan.partnership, title=f"Template {plan.pk}", is_template=True
        ),
    }


REVIEWS = Layer(contents=_plan_contents)
LAYERS = (CORE, OUTCOMES, ACTIONS, REVIEWS)


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def targets(world: World) -> Targets:
    return targets_in(world, LAYERS)


# The forms ------------------------------------------------------------------------------

# Issue 6: reviews and reminders


def _review_periods(t: Targets) -> list[str]:
    return [first.isoformat() for first, _ in periods_around(timezone.localdate())]


REVIEW_PERIOD = Kind(
    typical=lambda t: _review_periods(t)[0],  # next quarter's: the plan has none yet
    plausible=lambda t: st.sampled_from(_review_periods(t)),
    edges={
        "taken": lambda t: t.ours["review"].period_start.isoformat(),
        "unknown": "2001-01-01",
        "empty": "",
    },
)
RATING = choice(OutcomeJudgement.Rating.values)
REVIEW_OUTCOME = Kind(
    typical=lambda t: str(t.ours["outcome"].pk),
    plausible=lambda t: st.just(str(t.ours["outcome"].pk)),
    edges={"other-partnerships": lambda t: str(t.theirs["outcome"].pk), "absent": "0"},
    odd=foreign_or_absent_ids,
)
REVIEW_OUTCOMES = many_of(lambda t: [t.ours["outcome"]], lambda t: [t.theirs["outcome"]])
REVIEW_ACTIONS = many_of(
    lambda t: [t.ours["action"], t.ours["second_action"]], lambda t: [t.theirs["action"]]
)


NEXT_PERIOD = {"period_start": "2029-04-01", "period_end": "2030-03-31"}
TEMPLATE = Kind(
    typical=lambda t: str(t.ours["template"].pk),
    plausible=lambda t: st.just(str(t.ours["template"].pk)),
    edges={
        "other-partnerships": lambda t: str(t.theirs["template"].pk),
        "not-a-template": lambda t: str(t.ours["plan"].pk),
        "absent": "0",
    },
    odd=foreign_or_absent_ids,
)


HEALTH_SCORE = Kind(
    typical="4",
    plausible=fixed(["1", "2", "3", "4", "5"]),
    edges={"zero": "0", "six": "6", "negative": "-1", "half": "4.5", "empty": "", "huge": "1e308"},
    odd=lambda t: st.integers().map(str),
)
HEALTH_FIELDS = {
    **{f"score_{slug}": HEALTH_SCORE for slug in INGREDIENTS},
    **{f"comment_{slug}": TEXT for slug in INGREDIENTS},
}


FORMS: dict[str, HostileForm] = {
    "reviews:schedule": HostileForm(
        fields={"months": choice(["3", "6", "12"])},
        shown_on=lambda t: (
            reverse("reviews:reviews", args=[t.ours["plan"].pk]),
            "schedule_form",
        ),
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("reviews:schedule", own=our("plan"), foreign=their("plan")),
    ),
    "reviews:review_create": HostileForm(
        fields={"period": REVIEW_PERIOD, "meets_on": DATE, "attendees": TEXT},
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("reviews:review_create", own=our("plan"), foreign=their("plan")),
    ),
    "reviews:review_edit": HostileForm(
        fields={
            "meets_on": DATE,
            "attendees": TEXT,
            "lessons_learned": TEXT,
            "actions_checked": REVIEW_ACTIONS,
        },
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("reviews:review_edit", own=our("review"), foreign=their("review")),
    ),
    "reviews:review_judge": HostileForm(
        fields={"outcome": REVIEW_OUTCOME, "rating": RATING, "note": TEXT},
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("reviews:review_judge", own=our("review"), foreign=their("review")),
    ),
    "reviews:decision_create": HostileForm(
        fields={
            "text": TEXT,
            "taken_on": DATE,
            "outcomes": REVIEW_OUTCOMES,
            "actions": REVIEW_ACTIONS,
        },
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("reviews:decision_create", own=our("review"), foreign=their("review")),
    ),
    "reviews:review_sign_off": HostileForm(
        fields={},
        user=board,
        examples=EXAMPLES_PER_ACTIONS_BUTTON,
        **by_pk("reviews:review_sign_off", own=our("review"), foreign=their("review")),
    ),
    "reviews:health_check_create": HostileForm(
        fields={"title": TEXT, "opened_on": DATE},
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("reviews:health_check_create", own=our_partnership, foreign=other_partnership),
    ),
    "reviews:health_check_score": HostileForm(
        fields=HEALTH_FIELDS,
        user=partner,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(
            "reviews:health_check_score",
            own=our("health_check"),
            foreign=their("health_check"),
        ),
    ),
    "reviews:remind_behind": HostileForm(
        fields={},
        examples=EXAMPLES_PER_ACTIONS_BUTTON,
        **by_pk("reviews:remind_behind", own=our("plan"), foreign=their("plan")),
    ),
    # A lead sends a day's failed reminders again; nothing in the plan changes either way.
    "reviews:resend_failed": HostileForm(
        fields={"day": DATE},
        shown_on=lambda t: (reverse("reviews:up_to_date", args=[t.ours["plan"].pk]), "resend_form"),
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("reviews:resend_failed", own=our("plan"), foreign=their("plan")),
    ),
    "reviews:reading_correct": HostileForm(
        fields={
            "value": DECIMAL,
            "lower": DECIMAL,
            "upper": DECIMAL,
            "source_note": TEXT,
            "reason": TEXT,
        },
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(
            "reviews:reading_correct",
            own=our("closed_reading"),
            foreign=their("closed_reading"),
        ),
    ),
    "reviews:preferences": HostileForm(
        fields={
            "frequency": choice(ReminderPreference.Frequency.values),
            "due_soon": BOOLEAN,
            "missing_updates": BOOLEAN,
            "readings_due": BOOLEAN,
            "reviews": BOOLEAN,
            # Issue 22: how each kind of notification reaches the person
            **{
                f"notify_{kind}": choice(Notification.Channel.values)
                for kind in Notification.Kind.values
            },
        },
        pages=at("reviews:preferences"),
    ),
    # Issue 22: who receives the board papers, and how many days before the meeting
    "reviews:board_pack": HostileForm(
        fields={
            "days_before": NUMBER,
            "board_members": BOOLEAN,
            "others": many_of(
                lambda t: [t.world.membership(t.world.partner)], lambda t: [t.other_membership]
            ),
        },
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("reviews:board_pack", own=our("plan"), foreign=their("plan")),
    ),
}


# Issue 6: peer challenge


def _peer_links(t: Targets) -> list[Address]:
    return [Address(reverse("reviews:peer_accept", args=[peer_token(t.ours["peer_invited"])]))]


def _broken_peer_links(t: Targets) -> st.SearchStrategy[Address]:
    """Used, forged and mangled links, and the other partnership's reviewer's used one."""
    token = peer_token(t.ours["peer_invited"])
    forged = [
        peer_token(t.ours["peer_reviewer"]),  # already used
        invitation_token(t.invitation),  # signed, but as a membership invitation
        signing.dumps(t.ours["peer_invited"].pk),
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        str(t.ours["peer_invited"].pk),
    ]
    tokens = st.one_of(st.sampled_from(forged), st.sampled_from(FIXED), RANDOM_TEXT)
    return tokens.map(
        lambda token: Address(reverse("reviews:peer_accept", args=[no_slash(token)]), status=410)
    )


def _peer_reviewer(t: Targets) -> User | None:
    return t.ours["peer_reviewer"].user


PEER_DAYS = Kind(
    typical="30",
    plausible=lambda t: st.integers(1, 90).map(str),
    edges={**NUMBER.edges, "one-over": "91", "half": "1.5"},
    odd=NUMBER.odd,
)

FORMS.update(
    {
        "reviews:peer_invite": HostileForm(
            fields={"name": TEXT, "email": NEW_EMAIL, "days": PEER_DAYS},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:peer_invite", own=our("plan"), foreign=their("plan")),
        ),
        "reviews:peer_revoke": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk(
                "reviews:peer_revoke", own=our("peer_reviewer"), foreign=their("peer_reviewer")
            ),
        ),
        "reviews:peer_answers": HostileForm(
            fields={
                f"answer_{number}_{slug}": TEXT
                for number, _title, questions in peer.steps()
                for slug, _question in questions
            },
            extra={"submit": BOOLEAN},
            user=_peer_reviewer,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(
                "reviews:peer_answers", own=our("peer_reviewer"), foreign=their("peer_reviewer")
            ),
        ),
        # Issue 24: next year's plan and templates.
        "reviews:plan_carry_forward": HostileForm(
            fields={"title": TEXT, "period_start": DATE, "period_end": DATE},
            typical=NEXT_PERIOD,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:plan_carry_forward", own=our("plan"), foreign=their("plan")),
        ),
        "reviews:plan_template": HostileForm(
            fields={},
            extra={"template": BOOLEAN},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("reviews:plan_template", own=our("plan"), foreign=their("plan")),
        ),
        "reviews:plan_from_template": HostileForm(
            fields={
                "template": TEMPLATE,
                "title": TEXT,
                "period_start": DATE,
                "period_end": DATE,
            },
            typical=NEXT_PERIOD,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:plan_from_template", own=our_partnership, foreign=other_partnership),
        ),
        "reviews:peer_accept": HostileForm(
            fields={"full_name": TEXT, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            twins={"password2": "password1"},
            pages=_peer_links,
            refused=_broken_peer_links,
            user=anonymous,
            examples=EXAMPLES_PER_ACTIONS_FORM,
        ),
    }
)


# The tests ------------------------------------------------------------------------------

(
    _write_example_counts,
    test_the_registry_names_every_field_the_form_takes,
    test_each_form_accepts_its_typical_input,
    test_each_edge_value_in_each_field,
    test_hostile_input_is_refused_or_saved_safely,
) = hostile_tests_of(FORMS)
