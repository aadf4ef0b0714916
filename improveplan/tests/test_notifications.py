"""Notifications in the site: who is told (members of the partnership, never the one who
acted), the bell's unread count, the list, and marking read."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from improveplan import notifications
from improveplan.models import Notification, User
from improveplan.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LIST = reverse("improveplan:notifications")


def tell(world, *users, actor=None, text="Pat Partner mentioned you on A-01", plan=True):
    return notifications.notify(
        kind=Notification.Kind.MENTION,
        users=users,
        partnership_id=world.partnership.pk,
        plan_id=world.plan.pk if plan else None,
        text=text,
        url="/actions/1/#comment-1",
        actor=actor,
    )


def bell(page: str) -> str:
    found = re.search(r'<span id="bell-count">(.*?)</span>\s*</a>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def test_only_members_of_the_partnership_are_told_never_the_one_who_acted(world):
    made = tell(world, world.lead, world.partner, world.outsider, actor=world.partner)
    assert [n.user for n in made] == [world.lead]
    assert not Notification.objects.filter(user__in=[world.partner, world.outsider]).exists()


def test_a_closed_account_is_not_told(world):
    User.objects.filter(pk=world.lead.pk).update(is_active=False)
    assert tell(world, world.lead) == []


def test_the_bell_shows_the_unread_count_on_every_page_without_a_query(
    lead_client, world, django_assert_num_queries
):
    home = reverse("improveplan:home")
    lead_client.get(home)  # a session's first request records when it began
    with django_assert_num_queries(7):  # as many as before there was a bell
        page = lead_client.get(home).content.decode()
    assert bell(page) == ""
    tell(world, world.lead)
    tell(world, world.lead, text="Second")
    page = lead_client.get(home).content.decode()
    assert bell(page) == "2 unread"


def test_the_list_shows_ones_own_newest_first_and_marks_them_read(client, world):
    tell(world, world.lead, text="Older news")
    tell(world, world.lead, text="Newer news")
    tell(world, world.partner, text="Not for the lead")
    client.force_login(world.lead)
    page = client.get(LIST).content.decode()
    assert "<h1>Notifications</h1>" in page
    assert page.index("Newer news") < page.index("Older news")
    assert "Not for the lead" not in page
    assert "<strong>2 unread.</strong>" in page
    newest = Notification.objects.get(text="Newer news")
    response = client.post(reverse("improveplan:notification_read", args=[newest.pk]))
    assert response.status_code == 302 and response["Location"] == LIST
    newest.refresh_from_db()
    assert newest.read_at is not None
    assert bell(client.get(LIST).content.decode()) == "1 unread"
    response = client.post(reverse("improveplan:notifications_read_all"))
    page = client.get(response["Location"]).content.decode()
    assert "1 notification marked as read." in page
    assert bell(page) == "" and "Nothing unread." in page
    world.lead.refresh_from_db()
    assert world.lead.unread_notifications == 0


def test_someone_elses_notification_is_not_found(client, world):
    (theirs,) = tell(world, world.partner)
    client.force_login(world.lead)
    assert (
        client.post(reverse("improveplan:notification_read", args=[theirs.pk])).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_twice_counts_once(world):
    (notice,) = tell(world, world.lead)
    tell(world, world.lead)
    assert notifications.mark_read(user=world.lead, ids=[notice.pk]) == 1
    assert notifications.mark_read(user=world.lead, ids=[notice.pk]) == 0
    world.lead.refresh_from_db()
    assert world.lead.unread_notifications == 1


def test_the_list_puts_the_count_right_when_rows_went_without_it(lead_client, world):
    tell(world, world.lead)
    Notification.objects.all().delete()  # as a deleted plan's would
    page = lead_client.get(LIST).content.decode()
    assert "Nothing unread." in page and bell(page) == ""


def test_the_list_is_a_page_at_a_time_in_a_fixed_number_of_queries(
    lead_client, world, django_assert_num_queries
):
    lead_client.get(LIST)
    tell(world, world.lead)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        lead_client.get(LIST)
    for n in range(40):
        tell(world, world.lead, text=f"News {n}")
    with django_assert_num_queries(len(few)):
        page = lead_client.get(LIST).content.decode()
    assert page.count('class="notification') == 30
    assert "Page 1 of 2" in page and "?page=2" in page
    # Pinned, so that a new query on the list is a decision: the session, the person, the
    # unread count, the page's rows and how many there are.
    assert len(few) <= 5


def test_someone_in_no_partnership_has_an_empty_list(client):
    member = MembershipFactory()
    client.force_login(member.user)
    assert "No notifications yet." in client.get(LIST).content.decode()


def test_signing_in_is_needed(client):
    assert client.get(LIST).status_code == 302
