"""The API: what a token or a session may read and write, and how refusals read."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Update
from actions.tests.factories import ActionFactory
from api.models import AccessToken
from api.tests.conftest import as_token, make_token
from improveplan.models import Membership, Plan, Role, SecurityEvent
from improveplan.tests.factories import MembershipFactory, PlanFactory
from outcomes.models import Reading

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_without_a_token_the_api_asks_for_one(api, api_world):
    response = api.get(reverse("api:plan-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_reads_its_partnership_and_nothing_else(api, api_world):
    w = api_world
    as_token(api, make_token(w.board, w.partnership, AccessToken.Scope.READ))
    assert _ids(api.get(reverse("api:partnership-list"))) == [w.partnership.pk]
    assert _ids(api.get(reverse("api:plan-list"))) == [w.plan.pk]
    assert _ids(api.get(reverse("api:indicator-list"))) == [w.indicator.pk, w.council_indicator.pk]
    assert _ids(api.get(reverse("api:action-list"))) == [w.action.pk]
    assert api.get(reverse("api:action-detail", args=[w.other_action.pk])).status_code == 404
    assert api.get(reverse("api:indicator-detail", args=[w.other_indicator.pk])).status_code == 404
    # Filtering by another partnership's plan finds nothing, as a plan that does not exist.
    assert _ids(api.get(reverse("api:action-list"), {"plan": w.other_plan.pk})) == []
    assert _ids(api.get(reverse("api:action-list"), {"plan": 2**31 - 1})) == []


@pytest.mark.parametrize(
    "name",
    [
        "partnership",
        "plan",
        "outcome",
        "indicator",
        "reading",
        "target",
        "comparator",
        "action",
        "milestone",
        "update",
    ],
)
def test_every_kind_reads_the_same_as_its_page(api, api_world, name):
    w = api_world
    own = {
        "partnership": w.partnership,
        "plan": w.plan,
        "outcome": w.outcome,
        "indicator": w.indicator,
        "reading": w.reading,
        "target": w.target,
        "comparator": w.comparator,
        "action": w.action,
        "milestone": w.milestone,
        "update": w.update,
    }[name]
    as_token(api, make_token(w.partner, w.partnership, AccessToken.Scope.READ))
    response = api.get(reverse(f"api:{name}-detail", args=[own.pk]))
    assert response.status_code == 200
    assert response.json()["id"] == own.pk
    assert own.pk in _ids(api.get(reverse(f"api:{name}-list")))


def test_the_api_says_what_the_pages_say(api, api_world):
    w = api_world
    as_token(api, make_token(w.partner, w.partnership, AccessToken.Scope.READ))
    action = api.get(reverse("api:action-detail", args=[w.action.pk])).json()
    assert action["reference"] == w.action.reference
    assert action["title"] == "Open a clinic"
    assert action["outcomes"] == [w.outcome.pk]
    reading = api.get(reverse("api:reading-detail", args=[w.reading.pk])).json()
    assert (reading["period"], reading["value"]) == ("2024-03-31", "18.0000")
    comparator = api.get(reverse("api:comparator-detail", args=[w.comparator.pk])).json()
    assert comparator["name"] == "England"
    assert [row["id"] for row in comparator["readings"]] == [w.comparator_reading.pk]


def test_a_token_of_one_partnership_does_not_reach_the_persons_other(api, api_world):
    w = api_world
    MembershipFactory(user=w.lead, organisation=w.other_organisation, role=Role.LEAD)
    as_token(api, make_token(w.lead, w.partnership, AccessToken.Scope.READ))
    assert _ids(api.get(reverse("api:plan-list"))) == [w.plan.pk]
    assert api.get(reverse("api:plan-detail", args=[w.other_plan.pk])).status_code == 404


def test_a_signed_in_member_reads_every_partnership_of_theirs(client, api_world):
    w = api_world
    MembershipFactory(user=w.lead, organisation=w.other_organisation, role=Role.BOARD)
    client.force_login(w.lead)
    response = client.get(reverse("api:plan-list"))
    assert sorted(_ids(response)) == sorted([w.plan.pk, w.other_plan.pk])


def test_an_expired_token_says_so(api, api_world):
    w = api_world
    as_token(api, make_token(w.lead, w.partnership, days=30))
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = api.get(reverse("api:plan-list"))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_no_longer_works(api, api_world, client):
    w = api_world
    raw = make_token(w.lead, w.partnership)
    token = AccessToken.objects.get()
    client.force_login(w.lead)
    client.post(reverse("api:token_revoke", args=[token.pk]))
    response = as_token(api, raw).get(reverse("api:plan-list"))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_token_stops_when_its_person_leaves_the_partnership(api, api_world):
    w = api_world
    as_token(api, make_token(w.partner, w.partnership))
    Membership.objects.filter(user=w.partner).delete()
    response = api.get(reverse("api:plan-list"))
    assert response.status_code == 401
    assert "no longer a member" in response.json()["detail"]


def test_a_made_up_token_is_refused(api, api_world):
    as_token(api, "ipat_" + "x" * 43)
    assert api.get(reverse("api:plan-list")).status_code == 401


def test_the_time_of_last_use_is_kept(api, api_world):
    w = api_world
    as_token(api, make_token(w.board, w.partnership, AccessToken.Scope.READ))
    api.get(reverse("api:plan-list"))
    assert AccessToken.objects.get().last_used_at is not None


# Readings, in bulk --------------------------------------------------------------------------


def _readings_url(plan) -> str:
    return reverse("api:plan-readings", args=[plan.pk])


def test_a_lead_adds_readings_all_at_once(api, api_world):
    w = api_world
    as_token(api, make_token(w.lead, w.partnership))
    response = api.post(
        _readings_url(w.plan),
        {
            "readings": [
                {"indicator": "SMK", "period": "2025-03-31", "value": "17.5"},
                {"indicator": "SMK", "period": "2024-03-31", "value": 18},  # as saved
                {"indicator": "QUIT", "period": "2025", "value": "40"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 1}
    saved = Reading.objects.get(indicator=w.indicator, period="2025-03-31")
    assert saved.entered_by == w.lead
    assert SecurityEvent.objects.filter(kind="import", user=w.lead).exists()


def test_one_wrong_reading_saves_none_and_says_which(api, api_world):
    w = api_world
    as_token(api, make_token(w.lead, w.partnership))
    before = Reading.objects.count()
    response = api.post(
        _readings_url(w.plan),
        {
            "readings": [
                {"indicator": "SMK", "period": "2025-03-31", "value": "17.5"},
                {"indicator": "NOPE", "period": "2025-03-31", "value": "1"},
                {"indicator": "SMK", "period": "2099-03-31", "value": "1"},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(2, "indicator"), (3, "period")}
    assert Reading.objects.count() == before


def test_a_partner_enters_only_their_organisations_readings(api, api_world):
    w = api_world
    as_token(api, make_token(w.partner, w.partnership))
    response = api.post(
        _readings_url(w.plan),
        {"readings": [{"indicator": "QUIT", "period": "2025", "value": "40"}]},
        format="json",
    )
    assert response.status_code == 400
    assert Reading.objects.filter(indicator=w.council_indicator).count() == 0
    response = api.post(
        _readings_url(w.plan),
        {"readings": [{"indicator": "SMK", "period": "2025-03-31", "value": "17"}]},
        format="json",
    )
    assert response.status_code == 200


def test_a_board_member_may_not_write_readings(api, api_world):
    w = api_world
    # A second plan, so that the plan's id is not its partnership's (the log must not mix them).
    plan = PlanFactory(partnership=w.partnership)
    assert plan.pk != w.partnership.pk
    as_token(api, make_token(w.board, w.partnership))
    response = api.post(
        _readings_url(plan),
        {"readings": [{"indicator": "SMK", "period": "2025-03-31", "value": "17"}]},
        format="json",
    )
    assert response.status_code == 403
    assert not Reading.objects.filter(period="2025-03-31").exists()
    # The security log names the partnership whose plan it was.
    refused = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACCESS_REFUSED)
    assert refused.partnership_id == w.partnership.pk


def test_a_read_only_token_writes_nothing(api, api_world):
    w = api_world
    as_token(api, make_token(w.lead, w.partnership, AccessToken.Scope.READ))
    response = api.post(
        _readings_url(w.plan),
        {"readings": [{"indicator": "SMK", "period": "2025-03-31", "value": "17"}]},
        format="json",
    )
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]
    assert not Reading.objects.filter(period="2025-03-31").exists()


def test_an_archived_plan_takes_no_readings(api, api_world):
    w = api_world
    Plan.objects.filter(pk=w.plan.pk).update(status=Plan.Status.ARCHIVED)
    as_token(api, make_token(w.lead, w.partnership))
    response = api.post(
        _readings_url(w.plan),
        {"readings": [{"indicator": "SMK", "period": "2025-03-31", "value": "17"}]},
        format="json",
    )
    assert response.status_code == 403
    assert "archived" in response.json()["detail"]


def test_another_partnerships_plan_is_not_found(api, api_world):
    w = api_world
    as_token(api, make_token(w.lead, w.partnership))
    response = api.post(
        _readings_url(w.other_plan),
        {"readings": [{"indicator": "SMK", "period": "2025-03-31", "value": "17"}]},
        format="json",
    )
    assert response.status_code == 404
    assert Reading.objects.filter(period="2025-03-31").count() == 0


def test_an_empty_or_malformed_batch_is_refused(api, api_world):
    w = api_world
    as_token(api, make_token(w.lead, w.partnership))
    for body in ({}, {"readings": []}, {"readings": "SMK"}, {"readings": [{"value": "1"}]}):
        response = api.post(_readings_url(w.plan), body, format="json")
        assert response.status_code == 400
        assert response.json()["errors"], body
    response = api.post(
        _readings_url(w.plan),
        {"readings": [{"indicator": "SMK", "period": "2025", "value": "1"}, {"value": "1"}]},
        format="json",
    )
    assert {"row": 2, "column": "indicator", "message": "This field is required."} in (
        response.json()["errors"]
    )


# Updates ---------------------------------------------------------------------------------


def _updates_url(action) -> str:
    return reverse("api:action-updates", args=[action.pk])


def test_a_partner_posts_an_update_recorded_as_theirs(api, api_world):
    w = api_world
    as_token(api, make_token(w.partner, w.partnership))
    response = api.post(
        _updates_url(w.action),
        {"status": "at_risk", "progress": 40, "note": "Staff off sick."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["author"] == w.partner.pk
    w.action.refresh_from_db()
    assert (w.action.status, w.action.progress) == ("at_risk", 40)
    assert Update.objects.filter(action=w.action, author=w.partner, note="Staff off sick.").exists()


def test_complete_needs_its_evidence_as_on_the_page(api, api_world):
    w = api_world
    as_token(api, make_token(w.lead, w.partnership))
    response = api.post(
        _updates_url(w.action), {"status": "complete", "progress": 100}, format="json"
    )
    assert response.status_code == 400
    assert "completion_evidence" in response.json()
    assert Update.objects.filter(action=w.action).count() == 1


def test_a_board_member_may_not_post_an_update(api, api_world):
    w = api_world
    as_token(api, make_token(w.board, w.partnership))
    response = api.post(
        _updates_url(w.action), {"status": "on_track", "progress": 5}, format="json"
    )
    assert response.status_code == 403
    assert Update.objects.filter(action=w.action).count() == 1


def test_a_closed_action_takes_no_update(api, api_world):
    w = api_world
    Action.objects.filter(pk=w.action.pk).update(
        status=Action.Status.COMPLETE, closure=Action.Closure.CLOSED
    )
    as_token(api, make_token(w.lead, w.partnership))
    response = api.post(
        _updates_url(w.action), {"status": "on_track", "progress": 5}, format="json"
    )
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


# Lists ---------------------------------------------------------------------------------


def test_lists_come_in_pages(api, api_world):
    w = api_world
    ActionFactory.create_batch(3, plan=w.plan, lead_organisation=w.council)
    as_token(api, make_token(w.lead, w.partnership, AccessToken.Scope.READ))
    first = api.get(reverse("api:action-list"), {"page_size": 2}).json()
    assert first["count"] == 4
    assert len(first["results"]) == 2
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert api.get(reverse("api:action-list"), {"page": 9}).status_code == 404


def test_lists_filter_as_the_pages_do(api, api_world):
    w = api_world
    late = ActionFactory(plan=w.plan, lead_organisation=w.council, status="off_track")
    as_token(api, make_token(w.lead, w.partnership, AccessToken.Scope.READ))
    assert _ids(api.get(reverse("api:action-list"), {"status": "off_track"})) == [late.pk]
    assert _ids(api.get(reverse("api:action-list"), {"lead_organisation": w.housing.pk})) == [
        w.action.pk
    ]
    readings = api.get(reverse("api:reading-list"), {"period_after": "2024-01-01"})
    assert _ids(readings) == [w.reading.pk]
    assert api.get(reverse("api:action-list"), {"status": "nonsense"}).status_code == 400


def test_updates_since_a_moment_take_any_real_time_zone_and_refuse_others(api, api_world):
    w = api_world
    as_token(api, make_token(w.lead, w.partnership, AccessToken.Scope.READ))
    since = api.get(reverse("api:update-list"), {"since": "2000-01-01T00:00:00+14:00"})
    assert _ids(since) == [w.update.pk]
    # An offset no clock uses: a clear 400, where the database would have failed.
    odd = api.get(reverse("api:update-list"), {"since": "0596-06-05T02:09:00-20:16"})
    assert odd.status_code == 400
    assert "Give a time zone offset between -14:00 and +14:00." in str(odd.json())


@pytest.mark.parametrize("count", [2, 30])
def test_a_lists_queries_do_not_grow_with_its_rows(
    api, api_world, count, django_assert_max_num_queries
):
    w = api_world
    for _ in range(count):
        action = ActionFactory(plan=w.plan, lead_organisation=w.council)
        action.outcomes.add(w.outcome)
        action.supporting_organisations.add(w.housing)
    as_token(api, make_token(w.lead, w.partnership, AccessToken.Scope.READ))
    with django_assert_max_num_queries(8):
        response = api.get(reverse("api:action-list"), {"page_size": 100})
    assert len(response.json()["results"]) == count + 1


def test_the_schema_is_openapi_3_at_its_fixed_address(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/plans/{id}/readings/" in schema["paths"]
    assert "/api/v1/actions/{id}/updates/" in schema["paths"]


def test_the_documentation_page_keeps_to_our_content_security_policy(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    nonce = response.wsgi_request.csp_nonce
    assert page.count(f'nonce="{nonce}"') == 3
    assert "<style>" not in page
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()
