"""A lead walks an outcome, fills in forms and reads the plan on a phone, in a real browser,
by what people see (issue 16, items 7, 9 and 12)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from actions.models import Action, Option
from actions.tests.factories import ActionFactory, CriterionFactory, OptionFactory
from improveplan.tests.factories import PASSWORD
from outcomes.tests.factories import (
    ComparatorFactory,
    ComparatorReadingFactory,
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
)

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.services  # Chromium


def _walked_outcome(world):
    """An outcome part-way through the walk: an indicator with a reading and a comparator
    with its first value, and a favoured option."""
    outcome = OutcomeFactory(plan=world.plan, statement="More children ready for school")
    indicator = IndicatorFactory(
        plan=world.plan, outcome=outcome, name="Good level of development", owner=world.council
    )
    ReadingFactory(indicator=indicator)
    comparator = ComparatorFactory(indicator=indicator, name="England")
    ComparatorReadingFactory(comparator=comparator)
    OptionFactory(
        outcome=outcome,
        title="Stay-and-play groups",
        decision=Option.Decision.FAVOURED,
        decision_reason="Parents asked for them.",
    )
    return outcome, indicator


def test_a_lead_reaches_every_step_and_the_next_thing_to_do(world, page, pages):
    OutcomeFactory(plan=world.plan, statement="Fewer adults smoke", priority=1)
    outcome, indicator = _walked_outcome(world)
    look = partial(pages.check, page, who="lead (walk)")
    sign_in(page, world.lead.email, PASSWORD)
    page.goto(world.plan.get_absolute_url())

    # "Start with Step 1" opens Step 1 of the walk, which says what to do next.
    page.get_by_role("link", name="Start with Step 1: where are we now?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 1: Where are we now?")
    expect(page.get_by_role("paragraph").filter(has_text="Next thing to do:")).to_contain_text(
        "Add an indicator"
    )
    look(screenshot="walk-step-1-next-thing")

    # After the comparator's first value, Step 1 still offers another; and import is here.
    page.goto(f"/outcomes/{outcome.pk}/steps/1/")
    expect(page.get_by_role("link", name=re.compile("^Add a comparator value"))).to_be_visible()
    page.get_by_role("link", name="Import readings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import readings")
    page.go_back()

    # Every other step is one link away; Step 4 leads on to turning the favoured option
    # into actions.
    walk = page.get_by_role("navigation", name=f"The Five Steps for {outcome}")
    walk.get_by_role("link", name=re.compile("Step 4")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 4: How will we get there?")
    look(screenshot="walk-step-4-turn-into-actions")
    page.get_by_role("link", name=re.compile("^Turn into actions")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Turn “Stay-and-play groups”")

    # The outcome page shows all five steps, not only the first three.
    page.goto(outcome.get_absolute_url())
    for number in range(1, 6):
        expect(page.get_by_role("heading", name=re.compile(f"^Step {number}:"))).to_be_visible()
    page.get_by_role("link", name="Go to Step 5").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Step 5: What are we going to do now?"
    )

    # The options page leads to every step, not only "back to Steps 1–3".
    page.goto(f"/outcomes/{outcome.pk}/options/")
    expect(page.get_by_text("Back to Steps 1–3")).to_have_count(0)
    steps = page.get_by_role("navigation", name=f"The Five Steps for {outcome}")
    expect(steps.get_by_role("link")).to_have_count(5)
    look(screenshot="options-with-steps")
    page.get_by_role("link", name="Next: Step 5").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 5")

    # The indicator's page offers the import too.
    page.goto(indicator.get_absolute_url())
    expect(page.get_by_role("link", name="Import readings")).to_be_visible()
    look()


def _enabled_owners(page) -> list[str]:
    return page.get_by_label("Owner").evaluate(
        "select => [...select.options].filter(o => o.value && !o.disabled && !o.hidden)"
        ".map(o => o.textContent.trim())"
    )


def test_the_owner_list_offers_only_the_lead_organisations_members(world, page, pages):
    look = partial(pages.check, page, who="lead (action form)")
    sign_in(page, world.lead.email, PASSWORD)
    page.goto(f"/plans/{world.plan.pk}/actions/new/")
    page.get_by_label("Lead organisation").select_option(label="Riverside Council")
    assert sorted(_enabled_owners(page)) == ["Bo Board", "Lena Lead"]
    page.get_by_label("Lead organisation").select_option(label="Riverside Housing")
    assert _enabled_owners(page) == ["Pat Partner"]
    page.get_by_label("Owner").select_option(label="Pat Partner")

    # A 500-character title is not cut: the count says how far over it is, and saving
    # refuses it with a message.
    title = page.get_by_label("Title")
    title.fill("A" * 500)
    expect(title).to_have_value("A" * 500)
    expect(page.get_by_text("500 characters: 300 over the limit of 200")).to_be_visible()
    look(screenshot="action-form-title-over-limit")
    page.get_by_role("button", name="Save the action").click()
    expect(
        page.get_by_text("Shorten it to 200 characters at most: it has 500.", exact=True)
    ).to_be_visible()
    look()


def test_without_scripts_a_change_of_lead_is_refused_and_the_panel_reads_the_form(
    world, page_without_scripts, pages
):
    page = page_without_scripts
    today = date.today()
    action = ActionFactory(
        plan=world.plan,
        lead_organisation=world.council,
        owner=world.lead,
        title="Open the tenancy advice line",
        start=today - timedelta(days=10),
        due=None,
    )
    sign_in(page, world.lead.email, PASSWORD)
    page.goto(f"/actions/{action.pk}/edit/")
    assert sorted(_enabled_owners(page)) == ["Bo Board", "Lena Lead"]
    panel = page.get_by_role("region", name=re.compile("SMART check"))
    expect(panel.get_by_role("listitem").filter(has_text="Time-bound")).to_have_text(
        "✘ Time-bound: no due date"
    )

    # No script follows the change of lead: the owner from the council stays chosen, and
    # saving refuses it, says why, and offers the housing association's members instead.
    page.get_by_label("Lead organisation").select_option(label="Riverside Housing")
    page.get_by_label("Due").fill((today + timedelta(days=100)).isoformat())
    page.get_by_role("button", name="Save the action").click()
    expect(
        page.get_by_text(
            "The owner must work for the lead organisation, Riverside Housing.", exact=True
        )
    ).to_be_visible()
    expect(page.get_by_label("Lead organisation")).to_have_value(str(world.housing.pk))
    assert _enabled_owners(page) == ["Pat Partner"]
    # The SMART panel reads the form as sent, the due date typed and all.
    expect(page.get_by_label("Due")).to_have_value((today + timedelta(days=100)).isoformat())
    expect(panel.get_by_role("listitem").filter(has_text="Time-bound")).to_have_text("✔ Time-bound")
    pages.check(page, who="lead (no scripts)", screenshot="action-form-owner-refused")
    action.refresh_from_db()
    assert (action.lead_organisation, action.owner, action.due) == (
        world.council,
        world.lead,
        None,
    )


def test_the_scores_say_what_each_criterion_means_and_which_end_is_good(world, page, pages):
    CriterionFactory(
        plan=world.plan,
        name="Risk",
        description="What could go wrong, and how far it can be managed.",
    )
    outcome, _ = _walked_outcome(world)
    option = outcome.options.get()
    sign_in(page, world.lead.email, PASSWORD)
    page.goto(f"/outcomes/{outcome.pk}/options/")
    criteria = page.get_by_role("region", name="What each criterion asks")
    expect(criteria).to_contain_text("What could go wrong, and how far it can be managed.")
    expect(criteria).to_contain_text("5 is always the best")
    page.goto(f"/options/{option.pk}/scores/")
    score = page.get_by_role("combobox", name=re.compile("Risk"))
    expect(score).to_have_accessible_description(
        "What could go wrong, and how far it can be managed. 0 is the worst, 5 the best."
    )
    expect(score.get_by_role("option", name="5 (best)")).to_be_attached()
    pages.check(page, who="lead (scores)", screenshot="option-scores-meaning")


def test_on_a_phone_the_steps_and_the_action_plan_fit_the_screen(world, page, pages):
    outcome, _ = _walked_outcome(world)
    for number in range(30):
        ActionFactory(
            plan=world.plan,
            lead_organisation=world.housing,
            title=f"Action number {number} for the families of Riverside",
            status=Action.Status.COMPLETE if number % 3 == 0 else Action.Status.ON_TRACK,
        )
    sign_in(page, world.lead.email, PASSWORD)
    page.set_viewport_size(PHONE)

    # The Five Steps table: every step of the outcome is on screen, nothing scrolls sideways.
    page.goto(world.plan.get_absolute_url())
    step_5 = page.get_by_role("link", name=f"– step 5 for {outcome}", exact=False)
    step_5.scroll_into_view_if_needed()
    box = step_5.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    pages.check(page, who="lead (phone)", screenshot="plan-walk-table-phone")

    # The action plan: filters closed until opened, the status chosen by checkboxes, and
    # rows compact enough to read thirty actions in a few screens.
    page.set_viewport_size(PHONE)  # the screenshots leave the page at desktop width
    page.goto(f"/plans/{world.plan.pk}/actions/")
    expect(page.get_by_role("checkbox", name="Complete")).to_be_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 30 * 140, f"the action plan is {height} px tall for 30 actions"
    pages.check(page, who="lead (phone)", screenshot="action-plan-phone")
    page.set_viewport_size(PHONE)
    page.get_by_text("Filter and sort").click()
    page.get_by_role("checkbox", name="Complete").check()
    page.get_by_role("button", name="Show", exact=True).click()
    # The actions chosen come first, the filters closed again above them saying so.
    expect(page.get_by_text("10 actions")).to_be_in_viewport()
    page.get_by_text("Filter and sort (1 applied)").click()
    expect(page.get_by_role("checkbox", name="Complete")).to_be_checked()
    pages.check(page, who="lead (phone)", screenshot="action-plan-phone-filtered")

    # On a desktop the filters are open from the start.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/plans/{world.plan.pk}/actions/")
    expect(page.get_by_role("checkbox", name="Complete")).to_be_visible()
