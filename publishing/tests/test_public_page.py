"""A plan's public page: published and taken down by a lead, built from the public summary's
data (no people's names, no internal notes, no risks), with each chart's words and figures;
kept rendered; and each chart to embed, framed only by the sites the lead names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from actions.tests.factories import ActionFactory, UpdateFactory
from improveplan.models import SecurityEvent
from outcomes.models import Reading
from outcomes.tests.factories import (
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    RiskFactory,
    TargetFactory,
)
from publishing.models import Publication

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def plan(world):
    w = world
    outcome = OutcomeFactory(plan=w.plan, statement="Fewer people smoke")
    w.indicator = IndicatorFactory(
        outcome=outcome, owner=w.housing, code="SMK", name="Adults who smoke"
    )
    for year, value in ((2021, 21), (2022, 20), (2023, 19), (2024, 18)):
        ReadingFactory(indicator=w.indicator, period=date(year, 3, 31), value=Decimal(value))
    TargetFactory(indicator=w.indicator)
    RiskFactory(outcome=outcome, description="Funding may be cut", owner="Rita Riskowner")
    action = ActionFactory(
        plan=w.plan, lead_organisation=w.housing, owner=w.partner, title="Open a stop clinic"
    )
    action.outcomes.add(outcome)
    UpdateFactory(action=action, author=w.partner, note="Internal: the manager is off sick")
    w.indicator.override_reason = "Lead's private reason"
    w.indicator.save()
    return w.plan


def _publish(client, plan, sites: str = "") -> None:
    response = client.post(reverse("publishing:publish", args=[plan.pk]), {"embed_sites": sites})
    assert response.status_code == 302


def test_a_lead_publishes_and_anyone_reads_it(lead_client, client, plan):
    public_url = reverse("publishing:plan", args=[plan.pk])
    assert client.get(public_url).status_code == 404
    _publish(lead_client, plan)
    lead_client.logout()
    response = client.get(public_url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Healthier Riverside</h1>" in page
    assert "Fewer people smoke" in page
    assert "Open a stop clinic" in page
    assert "Riverside Housing" in page  # who leads the work: an organisation
    assert SecurityEvent.objects.filter(kind="published").exists()


def test_the_page_says_nothing_the_public_summary_leaves_out(lead_client, client, plan, world):
    _publish(lead_client, plan)
    lead_client.logout()
    page = client.get(reverse("publishing:plan", args=[plan.pk])).content.decode()
    for private in (
        world.partner.full_name,
        world.lead.full_name,
        "Rita Riskowner",
        "Funding may be cut",
        "manager is off sick",
        "Lead's private reason",
        world.partner.email,
    ):
        assert private not in page


def test_each_chart_has_its_words_and_its_figures(lead_client, client, plan):
    _publish(lead_client, plan)
    page = client.get(reverse("publishing:plan", args=[plan.pk])).content.decode()
    assert "<svg" in page
    assert "<figcaption" in page
    assert "The figures in this chart" in page
    assert '<th scope="row">' in page and "18" in page
    assert "<script" not in page  # kept rendered for everyone: nothing of one visitor's


def test_unpublishing_takes_it_down_at_once(lead_client, client, plan):
    _publish(lead_client, plan)
    public_url = reverse("publishing:plan", args=[plan.pk])
    assert client.get(public_url).status_code == 200  # now kept rendered
    response = lead_client.post(reverse("publishing:unpublish", args=[plan.pk]))
    assert response.status_code == 302
    lead_client.logout()
    assert client.get(public_url).status_code == 404
    assert not Publication.objects.exists()


def test_the_page_is_kept_rendered_and_cheap(
    lead_client, client, plan, django_assert_max_num_queries
):
    _publish(lead_client, plan)
    lead_client.logout()
    public_url = reverse("publishing:plan", args=[plan.pk])
    first = client.get(public_url)
    with django_assert_max_num_queries(1):  # is it still published?
        again = client.get(public_url)
    assert again.content == first.content
    assert first["Cache-Control"] == "public, no-cache"
    unchanged = client.get(public_url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304


def test_a_change_shows_once_the_kept_page_is_renewed(lead_client, client, plan, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # nothing kept: each request builds the page
    _publish(lead_client, plan)
    public_url = reverse("publishing:plan", args=[plan.pk])
    assert "17.5" not in client.get(public_url).content.decode()
    Reading.objects.create(indicator=plan.indicators.get(), period=date(2025, 3, 31), value=17.5)
    assert "17.5" in client.get(public_url).content.decode()


def test_only_a_lead_publishes(partner_client, board_client, plan):
    for client in (partner_client, board_client):
        assert client.post(reverse("publishing:publish", args=[plan.pk])).status_code == 403
    assert not Publication.objects.exists()


# Embedding ---------------------------------------------------------------------------


def test_the_embed_page_may_be_framed_by_the_named_sites_only(lead_client, client, plan, world):
    _publish(lead_client, plan, "https://www.riverside.gov.uk\nhealth.riverside.org")
    lead_client.logout()
    response = client.get(reverse("publishing:embed", args=[plan.pk, world.indicator.pk]))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors https://www.riverside.gov.uk https://health.riverside.org" in policy
    assert "X-Frame-Options" not in response
    page = response.content.decode()
    assert "Adults who smoke" in page and "<svg" in page and "The figures in this chart" in page


def test_every_other_page_may_not_be_framed(lead_client, client, plan, world):
    _publish(lead_client, plan, "https://www.riverside.gov.uk")
    for url in (
        reverse("publishing:plan", args=[plan.pk]),
        reverse("publishing:publish", args=[plan.pk]),
        plan.get_absolute_url(),
    ):
        response = lead_client.get(url)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
        assert response["X-Frame-Options"] == "DENY"


def test_with_no_sites_named_no_one_may_frame_a_chart(lead_client, client, plan, world):
    _publish(lead_client, plan)
    response = client.get(reverse("publishing:embed", args=[plan.pk, world.indicator.pk]))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_chart_of_another_plan_is_not_found(lead_client, client, plan, world):
    _publish(lead_client, plan)
    theirs = IndicatorFactory(outcome=OutcomeFactory(plan=world.other_plan))
    assert client.get(reverse("publishing:embed", args=[plan.pk, theirs.pk])).status_code == 404
    assert (
        client.get(reverse("publishing:embed", args=[world.other_plan.pk, theirs.pk])).status_code
        == 404
    )


@pytest.mark.parametrize(
    "sites",
    [
        "https://a.org; script-src *",
        "http://www.riverside.gov.uk",
        "https://*.riverside.gov.uk",
        "https://www.riverside.gov.uk/plans/",
        "'self'",
    ],
)
def test_a_site_that_is_not_a_plain_https_site_is_refused(lead_client, plan, sites):
    response = lead_client.post(
        reverse("publishing:publish", args=[plan.pk]), {"embed_sites": sites}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["embed_sites"]
    assert not Publication.objects.exists()
