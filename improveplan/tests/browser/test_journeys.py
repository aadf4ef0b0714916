"""Four people using the site in a real browser, by what they see: labels, roles, link text.

Every page each journey reaches is checked for accessibility on the way (conftest.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import partial

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from actions.models import Action
from actions.tests.factories import ActionFactory, MilestoneFactory
from conftest import service_missing
from improveplan.models import Plan
from improveplan.tests.factories import PASSWORD
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, ReadingFactory

from .conftest import sign_in

pytestmark = pytest.mark.services  # Chromium

READINGS_CSV = b"""indicator,period,value,lower,upper,breakdown,source_note
SF-01,2021,19.8,18.1,21.5,,APS 2021
SF-01,2022,18.9,17.3,20.5,,APS 2022
SF-01,2023,17.6,16.0,19.2,,APS 2023
SF-01,2024,16.9,15.4,18.4,,APS 2024
"""


def field(page, label: str):
    """The form field with this label; crispy forms adds an asterisk to required ones."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def heading(page):
    return page.get_by_role("heading", level=1)


def test_a_lead_builds_a_plan_and_agrees_it(world, page, pages):
    look = partial(pages.check, page, who="lead (journey)")
    sign_in(page, world.lead.email, PASSWORD)
    look(screenshot="journey-home")

    # A new plan for the partnership.
    page.get_by_role("link", name="Riverside Partnership").first.click()
    look(screenshot="journey-partnership")
    page.get_by_role("link", name="New plan").click()
    look(screenshot="journey-plan-form")
    page.get_by_role("button", name="Save plan").click()  # too soon: nothing filled in
    expect(field(page, "Title")).to_have_accessible_description(re.compile("required"))
    look(screenshot="journey-plan-form-errors")
    field(page, "Title").fill("Smoke-free Riverside 2026–2029")
    field(page, "Period starts").fill("2026-04-01")
    field(page, "Period ends").fill("2029-03-31")
    field(page, "Vision").fill("Fewer people in Riverside smoke, in every neighbourhood.")
    page.get_by_role("button", name="Save plan").click()
    expect(heading(page)).to_have_text("Smoke-free Riverside 2026–2029")
    look()

    # Step 1: an outcome and its indicator.
    page.get_by_role("link", name="Add an outcome").click()
    look()
    field(page, "Statement").fill("Fewer adults smoke")
    page.get_by_role("button", name="Save the outcome").click()
    page.get_by_role("link", name="1. Fewer adults smoke").click()
    expect(heading(page)).to_have_text("Fewer adults smoke")
    look(screenshot="journey-outcome-empty")
    page.get_by_role("link", name="Add an indicator").click()
    look()
    field(page, "Reference").fill("SF-01")
    field(page, "Name").fill("Adults who smoke")
    field(page, "Which way is better").select_option(label="Lower is better")
    field(page, "Frequency").select_option(label="Yearly")
    field(page, "Owner organisation").select_option(label="Riverside Council")
    page.get_by_role("button", name="Save the indicator").click()

    # Its readings, from a file.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Smoke-free Riverside 2026–2029"
    ).click()
    page.get_by_role("link", name="Import readings").click()
    look()
    field(page, "CSV or Excel file of readings").set_input_files(
        {"name": "readings.csv", "mimeType": "text/csv", "buffer": READINGS_CSV}
    )
    page.get_by_role("button", name="Import the readings").click()
    expect(page.get_by_role("status")).to_contain_text("4")
    look(screenshot="journey-plan-with-readings")

    # Step 3: a target.
    page.get_by_role("link", name="Adults who smoke").click()
    expect(page.get_by_role("table", name="Readings of Adults who smoke")).to_contain_text("16.9")
    page.get_by_role("link", name="Add a target").click()
    look()
    field(page, "Baseline value").fill("16.9")
    field(page, "Baseline date").fill("2024-12-31")
    field(page, "Target value").fill("12")
    field(page, "Target date").fill("2029-03-31")
    page.get_by_role("button", name="Save the target").click()
    expect(page.get_by_role("region", name="Targets")).to_contain_text("12")
    look(screenshot="journey-indicator")

    # Step 4: criteria, an option, its scores and the decision.
    page.get_by_role("link", name="Fewer adults smoke").first.click()
    page.get_by_role("link", name="Step 4: the options for this outcome").click()
    look()
    page.get_by_role("link", name="Set the criteria").click()
    page.get_by_role("button", name="Use the suggested criteria").click()
    look(screenshot="journey-criteria")
    page.go_back()
    page.go_back()
    page.reload()
    page.get_by_role("link", name="Add an option").click()
    look()
    field(page, "Title").fill("Stop-smoking clinics in every GP surgery")
    page.get_by_role("button", name="Save the option").click()
    page.get_by_role("link", name="Score it").click()
    look(screenshot="journey-scores")
    for select in page.get_by_role("combobox").all():
        select.select_option("4")
    page.get_by_role("button", name="Save the scores").click()
    page.get_by_role("link", name="Decide on Stop-smoking clinics in every GP surgery").click()
    look()
    field(page, "Decision").select_option(label="Favoured")
    field(page, "Why").fill("Strong evidence, and the surgeries are willing.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("table")).to_contain_text("Favoured")
    look(screenshot="journey-options")

    # Step 5: an action with an owner, and a milestone.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Smoke-free Riverside 2026–2029"
    ).click()
    page.get_by_role("link", name="Action plan", exact=True).click()
    page.get_by_role("link", name="New action").click()
    look(screenshot="journey-action-form")
    field(page, "Title").fill("Open stop-smoking clinics in 12 GP surgeries")
    field(page, "Description").fill(
        "Weekly drop-in clinics run by trained advisers in 12 surgeries in the most "
        "deprived wards, with free nicotine replacement."
    )
    page.get_by_role("checkbox", name="Fewer adults smoke").check()
    field(page, "Lead organisation").select_option(label="Riverside Council")
    field(page, "Owner").select_option(label="Lena Lead")
    field(page, "Start").fill("2026-04-01")
    field(page, "Due").fill("2027-06-30")
    field(page, "Staff time").fill("Two advisers, three days a week")
    field(page, "Or a stated measure of success").fill("400 people quit for four weeks")
    page.get_by_role("button", name="Save the action").click()
    expect(heading(page)).to_have_text("A-01 Open stop-smoking clinics in 12 GP surgeries")
    page.get_by_role("link", name="Add a milestone").click()
    look()
    field(page, "Title").fill("First six clinics open")
    field(page, "Due").fill("2026-09-30")
    page.get_by_role("button", name="Save the milestone").click()
    expect(page.get_by_role("region", name="Milestones")).to_contain_text("First six clinics open")
    look(screenshot="journey-action")

    # Agreed.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Smoke-free Riverside 2026–2029"
    ).click()
    page.get_by_role("link", name="Agree the plan").click()
    look()
    page.get_by_role("button", name="Agree the plan").click()
    expect(heading(page)).to_have_text("Smoke-free Riverside 2026–2029")
    expect(page.get_by_text("This is version 1")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("Agreed")
    look(screenshot="journey-plan-agreed")
    plan = Plan.objects.get(title="Smoke-free Riverside 2026–2029")
    assert plan.status == Plan.Status.AGREED
    assert list(plan.versions.values_list("number", "agreed_by")) == [(1, world.lead.pk)]
    action = Action.objects.get(plan=plan)
    assert (action.owner, action.milestones.count()) == (world.lead, 1)
    assert plan.outcomes.get().indicators.get().readings.count() == 4


# What the keyboard has reached: a field's label, or a link's or button's text.
_FOCUSED_NAME = """() => {
  const el = document.activeElement;
  const text = el.labels && el.labels.length ? el.labels[0].textContent : el.textContent;
  return text.replace(/\\s+/g, ' ').trim();
}"""


def tab_to(page, name: str, *, limit: int = 80) -> None:
    """Press Tab until the element named `name` has the focus."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED_NAME)
        if focused.startswith(name):
            return
        passed.append(focused)
    pytest.fail(f"Tab never reached {name!r}; it went through {passed}")


def choose_file_with_the_keyboard(page, file: dict, *, tries: int = 3) -> None:
    """Press Space on the focused file field and pick `file` in the chooser that opens.

    Headless Chromium now and then drops the chooser a keypress asks for (a busy machine, not the
    page: the field has the focus and nothing else listens). A person would press Space again, so
    this does too, a few times, and fails if the chooser never opens.
    """
    assert page.evaluate("() => document.activeElement.type") == "file"
    for _ in range(tries):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            continue
        chooser.value.set_files(file)
        return
    pytest.fail(f"Space on the focused file field never opened a file chooser ({tries} tries)")


@pytest.fixture
def partners_action(world):
    outcome = OutcomeFactory(plan=world.plan, statement="More families keep their home")
    action = ActionFactory(
        plan=world.plan,
        number=1,
        title="Visit every family given notice to quit",
        lead_organisation=world.housing,
        owner=world.partner,
    )
    action.outcomes.add(outcome)
    MilestoneFactory(action=action, title="Visiting team trained")
    return action


def test_a_partner_updates_an_action_with_the_keyboard_alone(world, partners_action, page, pages):
    look = partial(pages.check, page, who="partner (journey)")
    sign_in(page, world.partner.email, PASSWORD)
    page.keyboard.press("Tab")  # sign-in left the focus in the page; start from the top
    tab_to(page, "My actions")
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("My actions")
    look(screenshot="journey-my-actions")

    tab_to(page, "Post an update to A-01")
    page.keyboard.press("Enter")  # htmx brings the form into the page
    expect(page.get_by_label("What has happened")).to_be_visible()
    look(screenshot="journey-my-actions-update-form")
    tab_to(page, "Status")
    page.keyboard.type("At risk")  # a closed select jumps to the option typed
    tab_to(page, "Progress (%)")
    page.keyboard.press("Control+A")
    page.keyboard.type("40")
    tab_to(page, "What has happened")
    page.keyboard.type("Two of the five visitors are off sick; visits are two weeks behind.")
    tab_to(page, "Evidence file")
    choose_file_with_the_keyboard(
        page, {"name": "rota.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 visit rota"}
    )
    tab_to(page, "Save the update")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your update is saved")
    look(screenshot="journey-my-actions-saved")

    tab_to(page, "A-01 Visit every family given notice to quit")
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("A-01 Visit every family given notice to quit")
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("Pat Partner: at risk, 40%")
    expect(history).to_contain_text("Two of the five visitors are off sick")
    expect(history.get_by_role("link", name="Download rota.pdf")).to_be_visible()
    look(screenshot="journey-action-history")
    partners_action.refresh_from_db()
    assert (partners_action.status, partners_action.progress) == (Action.Status.AT_RISK, 40)


def test_a_board_member_downloads_the_quarterly_report(world, page, pages, tmp_path):
    if not shutil.which("pdfinfo"):
        service_missing("pdfinfo is not installed (apt-get install poppler-utils)")
    indicator = IndicatorFactory(
        outcome=OutcomeFactory(plan=world.plan, statement="Fewer adults smoke"),
        name="Adults who smoke",
    )
    for year, value in [(2022, 19.1), (2023, 18.2), (2024, 17.0)]:
        ReadingFactory(indicator=indicator, period=f"{year}-12-31", value=value)
    look = partial(pages.check, page, who="board (journey)")
    sign_in(page, world.board.email, PASSWORD)
    page.get_by_role("link", name="Healthier Riverside").first.click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    look(screenshot="journey-board-dashboard")
    page.get_by_role("navigation", name="This plan").get_by_role("link", name="Reports").click()
    look(screenshot="journey-board-reports")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download the board report for ")).first.click()
    report = tmp_path / download.value.suggested_filename
    download.value.save_as(report)
    assert report.suffix == ".pdf"
    assert report.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", report], capture_output=True, text=True, check=True).stdout
    title = re.search(r"^Title:\s+(.*)$", info, re.MULTILINE)
    assert title and title.group(1).startswith("Board report: Healthier Riverside, "), info
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info


def test_a_member_of_another_partnership_reaches_nothing(world, partners_action, page, pages):
    indicator = IndicatorFactory(outcome=partners_action.outcomes.get(), name="Families evicted")
    plan = world.plan.pk
    urls = [
        world.partnership.get_absolute_url(),
        world.plan.get_absolute_url(),
        partners_action.outcomes.get().get_absolute_url(),
        indicator.get_absolute_url(),
        partners_action.get_absolute_url(),
        reverse("actions:plan", args=[plan]),
        reverse("actions:timeline", args=[plan]),
        reverse("actions:golden_thread", args=[plan]),
        reverse("actions:criteria", args=[plan]),
        reverse("actions:appraisal", args=[partners_action.outcomes.get().pk]),
        reverse("outcomes:readings_import", args=[plan]),
        reverse("improveplan:plan_edit", args=[plan]),
        reverse("reports:board_report", args=[plan]),
        reverse("outcomes:readings_export", args=[plan]),
        reverse("actions:export_xlsx", args=[plan]),
    ]
    sign_in(page, world.outsider.email, PASSWORD)
    page.get_by_role("link", name="My actions").click()
    expect(heading(page)).to_have_text("My actions")
    assert "Riverside" not in page.locator("main").inner_text()
    for url in urls:
        response = page.goto(url)
        assert response.status == 404, url
        expect(heading(page)).to_have_text("Page not found")
        assert "Riverside" not in page.content(), url
        assert "Visit every family" not in page.content(), url
    pages.check(page, who="outsider (journey)", screenshot="journey-page-not-found")
