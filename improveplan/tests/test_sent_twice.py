"""A form sent twice, one after the other or at the same moment, saves once and answers the
second with a page that says so: never a 500 (issue 16, item 13).

The races are real: eight threads send the form at once to the live server, whose threads
each have their own connection to PostgreSQL.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import Criterion, Update
from actions.tests.factories import ActionFactory
from improveplan import tasks
from improveplan.models import Organisation, PlanVersion, SentForm
from outcomes.models import Comparator, Indicator, Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory
from reviews.models import HealthCheck

pytestmark = pytest.mark.services  # PostgreSQL

AT_ONCE = 8


class FormFields(HTMLParser):
    """The fields of the page's main form (the one after the sign-out form), as a browser
    would send them untouched: each input's value, each select's chosen option."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.forms[-1][attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select:
            form = self.forms[-1]
            if "selected" in attrs or not form.get(self._select):
                form[self._select] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self.forms[-1][self._textarea] = ""

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data) -> None:
        if self._textarea:
            self.forms[-1][self._textarea] += data


def form_on(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return next(form for form in reversed(parser.forms) if "csrfmiddlewaretoken" in form)


@dataclass
class Browser:
    """Someone signed in, sending requests to the live server as a browser would."""

    base: str
    cookies: dict[str, str]

    def session(self) -> requests.Session:
        session = requests.Session()
        session.cookies.update(self.cookies)
        # One request per connection: a kept-alive connection holds a server thread, and its
        # database connection, past the test.
        session.headers["Connection"] = "close"
        return session

    def form(self, path: str, **typed: str) -> dict[str, str]:
        """The form on the page at ``path``, filled in."""
        session = self.session()
        response = session.get(self.base + path, timeout=30)
        assert response.status_code == 200, response.text[:500]
        self.cookies.update(session.cookies.get_dict())
        return form_on(response.text) | typed

    def at_once(self, path: str, forms: list[dict[str, str]]) -> list[requests.Response]:
        """Send each form at the same moment, each from its own thread."""
        start = threading.Barrier(len(forms))
        answers: list = [None] * len(forms)

        def send(index: int) -> None:
            session = self.session()
            start.wait()
            answers[index] = session.post(
                self.base + path, data=forms[index], allow_redirects=False, timeout=60
            )

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(forms))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return answers


@pytest.fixture
def lead(live_server, world, postgresql) -> Browser:
    client = Client()
    client.force_login(world.lead)
    return Browser(live_server.url, {"sessionid": client.cookies["sessionid"].value})


@pytest.fixture
def indicator(world):
    outcome = OutcomeFactory(plan=world.plan)
    return IndicatorFactory(plan=world.plan, outcome=outcome, owner=world.council)


def _criterion(world, indicator):
    return (
        reverse("actions:criterion_create", args=[world.plan.pk]),
        {
            "name": "Reach",
            "weight": "3",
        },
        lambda: Criterion.objects.filter(plan=world.plan, name="Reach").count(),
    )


def _comparator(world, indicator):
    return (
        reverse("outcomes:comparator_create", args=[indicator.pk]),
        {
            "name": "England",
        },
        lambda: Comparator.objects.filter(indicator=indicator, name="England").count(),
    )


def _indicator(world, indicator):
    return (
        reverse("outcomes:indicator_create", args=[indicator.outcome.pk]),
        {
            "code": "QQ-07",
            "name": "Adults who walk",
        },
        lambda: Indicator.objects.filter(plan=world.plan, code="QQ-07").count(),
    )


def _reading(world, indicator):
    return (
        reverse("outcomes:reading_create", args=[indicator.pk]),
        {
            "period": str(date(2025, 3, 31)),
            "value": "12.5",
        },
        lambda: Reading.objects.filter(indicator=indicator, period=date(2025, 3, 31)).count(),
    )


def _organisation(world, indicator):
    return (
        reverse("improveplan:organisation_create", args=[world.partnership.pk]),
        {
            "name": "Riverside Fire and Rescue",
        },
        lambda: Organisation.objects.filter(name="Riverside Fire and Rescue").count(),
    )


def _health_check(world, indicator):
    return (
        reverse("reviews:health_check_create", args=[world.partnership.pk]),
        {
            "title": "Health check 2027",
        },
        lambda: HealthCheck.objects.filter(title="Health check 2027").count(),
    )


CREATE_FORMS = [_criterion, _comparator, _indicator, _reading, _organisation, _health_check]


@pytest.mark.parametrize("make", CREATE_FORMS, ids=lambda make: make.__name__.strip("_"))
def test_the_same_form_sent_eight_times_at_once_saves_once(lead, world, indicator, make):
    path, typed, saved = make(world, indicator)
    form = lead.form(path, **typed)
    answers = lead.at_once(path, [form] * AT_ONCE)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [302] + [409] * (AT_ONCE - 1), (statuses, answers[0].text[-3000:])
    assert saved() == 1
    friendly = next(answer for answer in answers if answer.status_code == 409)
    assert "Already saved" in friendly.text
    assert "Nothing was saved twice." in friendly.text


@pytest.mark.parametrize("make", CREATE_FORMS, ids=lambda make: make.__name__.strip("_"))
def test_eight_tabs_sending_the_same_thing_at_once_save_it_once(lead, world, indicator, make):
    """Eight forms, each opened on its own (so each with its own token), the same typed in
    each: the database's unique constraint decides, and no one gets a 500."""
    path, typed, saved = make(world, indicator)
    forms = [lead.form(path, **typed) for _ in range(AT_ONCE)]
    answers = lead.at_once(path, forms)
    statuses = [answer.status_code for answer in answers]
    assert 500 not in statuses
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 200, 409}, statuses  # 200: the form again, saying it exists
    assert saved() == 1


def test_eight_agreements_at_once_make_one_version(lead, world):
    OutcomeFactory(plan=world.plan)  # a plan with no outcomes is not agreed at all
    path = reverse("improveplan:plan_agree", args=[world.plan.pk])
    form = lead.form(path)
    answers = lead.at_once(path, [form] * AT_ONCE)
    assert 500 not in [answer.status_code for answer in answers]
    assert PlanVersion.objects.filter(plan=world.plan).count() == 1
    # From eight tabs (eight tokens) too: nothing changed, so no new version.
    answers = lead.at_once(path, [lead.form(path) for _ in range(AT_ONCE)])
    assert {answer.status_code for answer in answers} == {302}
    assert PlanVersion.objects.filter(plan=world.plan).count() == 1


def test_eight_of_the_same_update_at_once_make_one_update(live_server, world, postgresql):
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    client = Client()
    client.force_login(world.partner)
    partner = Browser(live_server.url, {"sessionid": client.cookies["sessionid"].value})
    path = reverse("actions:update_create", args=[action.pk])
    form = partner.form(
        action.get_absolute_url(), status="on_track", progress="30", note="Two clinics open."
    )
    answers = partner.at_once(path, [form] * AT_ONCE)
    assert sorted(answer.status_code for answer in answers) == [302] + [409] * (AT_ONCE - 1)
    assert Update.objects.filter(action=action).count() == 1


def test_back_then_save_again_does_not_add_the_update_twice(partner_client, world):
    """The browser's Back restores the form as it was sent, token and all."""
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    page = partner_client.get(action.get_absolute_url()).content.decode()
    form = form_on(page) | {"status": "at_risk", "progress": "20", "note": "Venue lost."}
    path = reverse("actions:update_create", args=[action.pk])
    assert partner_client.post(path, form).status_code == 302
    again = partner_client.post(path, form)
    assert again.status_code == 409
    assert "This update had already been saved" in again.content.decode()
    assert Update.objects.filter(action=action).count() == 1


def test_the_same_update_from_a_page_opened_afresh_is_not_added_twice(partner_client, world):
    """Back to a page the browser fetched again (a new token), the same update saved again
    within minutes is the same update."""
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    path = reverse("actions:update_create", args=[action.pk])
    typed = {"status": "at_risk", "progress": "20", "note": "Venue lost."}
    for _ in range(2):
        page = partner_client.get(action.get_absolute_url()).content.decode()
        response = partner_client.post(path, form_on(page) | typed)
    assert response.status_code == 409
    assert Update.objects.filter(action=action).count() == 1
    # A different update is an update.
    page = partner_client.get(action.get_absolute_url()).content.decode()
    typed["note"] = "New venue found."
    assert partner_client.post(path, form_on(page) | typed).status_code == 302
    assert Update.objects.filter(action=action).count() == 2


def test_back_then_save_again_does_not_add_the_criterion_twice(lead_client, world):
    path = reverse("actions:criterion_create", args=[world.plan.pk])
    form = form_on(lead_client.get(path).content.decode()) | {"name": "Reach", "weight": "3"}
    assert lead_client.post(path, form).status_code == 302
    again = lead_client.post(path, form)
    assert again.status_code == 409
    assert "This criterion had already been saved" in again.content.decode()
    assert Criterion.objects.filter(plan=world.plan).count() == 1


def test_the_tokens_of_forms_sent_over_a_month_ago_are_forgotten_each_night(
    lead_client, world, settings
):
    """The table of claimed tokens holds a month of forms, not every form ever sent."""
    path = reverse("actions:criterion_create", args=[world.plan.pk])
    for name in ("Reach", "Cost"):
        form = form_on(lead_client.get(path).content.decode()) | {"name": name, "weight": "3"}
        assert lead_client.post(path, form).status_code == 302
    old, recent = SentForm.objects.order_by("pk")
    SentForm.objects.filter(pk=old.pk).update(sent_at=timezone.now() - timedelta(days=31))
    SentForm.objects.filter(pk=recent.pk).update(sent_at=timezone.now() - timedelta(days=29))

    assert tasks.prune_sent_forms.delay().get() == 1
    assert list(SentForm.objects.values_list("pk", flat=True)) == [recent.pk]
    entry = settings.CELERY_BEAT_SCHEDULE["prune-sent-forms"]
    assert entry["task"] == "improveplan.tasks.prune_sent_forms"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {40})
