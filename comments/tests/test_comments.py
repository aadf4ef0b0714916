"""Comments on outcomes, indicators, actions and reviews: who reads them, who writes them,
replies, changing one's own for a while, a lead hiding one, and what a page shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.tests.factories import CommentFactory
from improveplan.models import Notification, Plan
from improveplan.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

KINDS = ["outcome", "indicator", "action", "review"]


def post_url(kind: str, thing) -> str:
    return reverse(f"comments:{kind}_post", args=[thing.pk])


def page_of(client, thing) -> str:
    response = client.get(thing.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def comment_on(kind: str, thing, **fields) -> Comment:
    return CommentFactory(**{"action": None, kind: thing}, **fields)


# Reading and writing, on every kind of item ------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_partner_comments_and_every_member_reads_it_on_the_items_page(client, world, items, kind):
    thing = items.of(kind)
    client.force_login(world.partner)
    response = client.post(post_url(kind, thing), {"text": "Are the figures for May in yet?"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{thing.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.author, getattr(comment, kind), comment.plan) == (
        world.partner,
        thing,
        world.plan,
    )
    for reader in (world.lead, world.partner, world.board, items.peer):
        client.force_login(reader)
        page = page_of(client, thing)
        assert "Are the figures for May in yet?" in page, reader
        assert f'id="comment-{comment.pk}"' in page


@pytest.mark.parametrize("kind", KINDS)
def test_a_lead_comments_too(lead_client, world, items, kind):
    thing = items.of(kind)
    assert lead_client.post(post_url(kind, thing), {"text": "Noted."}).status_code == 302
    assert Comment.objects.get().author == world.lead


@pytest.mark.parametrize("kind", KINDS)
def test_someone_from_another_partnership_neither_reads_nor_writes(outsider_client, items, kind):
    thing = items.of(kind)
    comment_on(kind, thing, text="Ours alone.")
    assert outsider_client.get(reverse(f"comments:{kind}", args=[thing.pk])).status_code == 404
    assert outsider_client.post(post_url(kind, thing), {"text": "Hello"}).status_code == 404
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_board_member_reads_but_may_not_write(board_client, items, kind):
    thing = items.of(kind)
    page = page_of(board_client, thing)
    assert "Board members read the comments" in page
    assert "Post the comment" not in page
    response = board_client.post(post_url(kind, thing), {"text": "May I?"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_peer_reviewer_reads_the_comments_but_writes_only_their_answers(client, items, kind):
    thing = items.of(kind)
    comment_on(kind, thing, text="Seen by the peer reviewer.")
    client.force_login(items.peer)
    page = page_of(client, thing)
    assert "Seen by the peer reviewer." in page
    assert "your say is in your answers to the peer challenge" in page
    assert "Post the comment" not in page
    assert client.post(post_url(kind, thing), {"text": "A challenge"}).status_code == 403
    assert Comment.objects.count() == 1


def test_an_archived_plan_keeps_its_comments_and_takes_no_more(partner_client, world, items):
    comment_on("action", items.action, text="Before the archive.")
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.ARCHIVED)
    page = page_of(partner_client, items.action)
    assert "Before the archive." in page
    assert "no more added" in page
    response = partner_client.post(post_url("action", items.action), {"text": "After"})
    assert response.status_code == 403
    assert Comment.objects.count() == 1


def test_the_comments_page_works_without_scripts(partner_client, items):
    comment = comment_on("action", items.action, text="First!")
    response = partner_client.get(
        reverse("comments:action", args=[items.action.pk]) + f"?reply={comment.pk}"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Comments on" in page
    assert "Replying to" in page
    assert f'name="parent" value="{comment.pk}"' in page


# Text --------------------------------------------------------------------------------


def test_a_comment_is_plain_text_with_its_links_made_links(partner_client, items):
    text = (
        "See https://example.org/report?a=1&b=2 and <script>alert(1)</script> "
        "javascript:alert(1)\nSecond line"
    )
    partner_client.post(post_url("action", items.action), {"text": text})
    page = page_of(partner_client, items.action)
    assert (
        '<a href="https://example.org/report?a=1&amp;b=2" rel="nofollow noopener">'
        "https://example.org/report?a=1&amp;b=2</a>" in page
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert 'href="javascript:' not in page
    assert "javascript:alert(1)<br>Second line" in page


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_comment_is_refused_clearly(partner_client, items, text):
    response = partner_client.post(post_url("action", items.action), {"text": text})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_longer_than_2000_characters_is_refused(partner_client, items):
    response = partner_client.post(post_url("action", items.action), {"text": "x" * 2001})
    assert response.status_code == 200
    assert "at most 2000 characters" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_same_form_sent_twice_posts_once(partner_client, items):
    data = {"text": "Only once, please.", "form_token": "a" * 32}
    assert partner_client.post(post_url("action", items.action), data).status_code == 302
    assert partner_client.post(post_url("action", items.action), data).status_code == 409
    assert Comment.objects.count() == 1


# Replies -----------------------------------------------------------------------------


def test_a_reply_sits_under_its_comment_and_tells_its_author(partner_client, world, items):
    question = comment_on("action", items.action, author=world.lead, text="Who leads this?")
    response = partner_client.post(
        post_url("action", items.action), {"text": "Our team does.", "parent": question.pk}
    )
    reply = Comment.objects.get(parent=question)
    assert response.status_code == 302
    assert reply.author == world.partner
    told = Notification.objects.get(user=world.lead)
    assert told.kind == Notification.Kind.REPLY
    assert told.text.startswith("Pat Partner replied to your comment on A-")
    assert "“Our team does.”" in told.text
    assert told.url.endswith(f"#comment-{reply.pk}")
    page = page_of(partner_client, items.action)
    assert page.index("Who leads this?") < page.index("Our team does.")
    assert 'class="comment-replies' in page


def test_a_reply_to_a_reply_joins_the_same_thread(partner_client, world, items):
    question = comment_on("action", items.action, author=world.lead)
    answer = comment_on("action", items.action, author=world.board, parent=question)
    partner_client.post(post_url("action", items.action), {"text": "Me too", "parent": answer.pk})
    assert Comment.objects.get(text="Me too").parent == question


def test_replying_to_ones_own_comment_tells_nobody(partner_client, world, items):
    mine = comment_on("action", items.action, author=world.partner)
    partner_client.post(post_url("action", items.action), {"text": "PS", "parent": mine.pk})
    assert not Notification.objects.exists()


def test_a_reply_to_another_items_comment_is_refused(partner_client, items):
    elsewhere = comment_on("outcome", items.outcome)
    response = partner_client.post(
        post_url("action", items.action), {"text": "Hi", "parent": elsewhere.pk}
    )
    assert response.status_code == 200
    assert "In reply to: reply to a comment that is shown on this page." in (
        response.content.decode()
    )
    assert Comment.objects.count() == 1


# Changing one's own, for a while -------------------------------------------------------


def test_the_author_changes_their_comment_for_fifteen_minutes(partner_client, world, items):
    with time_machine.travel(timezone.now(), tick=False):
        comment = comment_on("action", items.action, author=world.partner, text="Typo hree")
        url = reverse("comments:edit", args=[comment.pk])
        assert "Change" in page_of(partner_client, items.action)
        assert partner_client.get(url).status_code == 200
        response = partner_client.post(url, {"text": "Typo here"})
        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.text == "Typo here" and comment.edited_at is not None
        assert "· changed" in page_of(partner_client, items.action)
        # The history keeps what it said, and who changed it. (The clock stands still here, so
        # both rows have the same time: they are told apart by the order they were written.)
        assert [h.text for h in comment.history.order_by("history_date", "history_id")] == [
            "Typo hree",
            "Typo here",
        ]
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = partner_client.post(url, {"text": "Too late"})
        assert response.status_code == 403
        assert "may be changed for 15 minutes" in response.content.decode()
    comment.refresh_from_db()
    assert comment.text == "Typo here"


def test_nobody_else_changes_a_comment(lead_client, world, items):
    comment = comment_on("action", items.action, author=world.partner, text="Mine")
    response = lead_client.post(reverse("comments:edit", args=[comment.pk]), {"text": "Yours"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Mine"


# Hiding --------------------------------------------------------------------------------


def test_a_lead_hides_a_comment_with_a_reason_kept_in_the_history(client, world, items):
    comment = comment_on(
        "action", items.action, author=world.partner, text="Mrs Smith at 4 Hill Road"
    )
    url = reverse("comments:hide", args=[comment.pk])
    client.force_login(world.lead)
    assert "Mrs Smith at 4 Hill Road" in client.get(url).content.decode()
    response = client.post(url, {"reason": "It named a resident."})
    assert response.status_code == 302
    client.force_login(world.partner)
    page = page_of(client, items.action)
    assert "Mrs Smith" not in page
    assert "Hidden by Lena Lead on" in page and "It named a resident." in page
    latest = comment.history.latest("history_date")
    assert latest.history_user == world.lead
    assert latest.hidden_reason == "It named a resident."
    assert latest.text == "Mrs Smith at 4 Hill Road"


def test_hiding_needs_a_reason(lead_client, items):
    comment = comment_on("action", items.action)
    response = lead_client.post(reverse("comments:hide", args=[comment.pk]), {"reason": " "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    comment.refresh_from_db()
    assert not comment.is_hidden


@pytest.mark.parametrize("who", ["partner", "board"])
def test_only_leads_hide(client, world, items, who):
    comment = comment_on("action", items.action, author=world.lead)
    client.force_login(getattr(world, who))
    response = client.post(reverse("comments:hide", args=[comment.pk]), {"reason": "No"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert not comment.is_hidden


# The page's queries ------------------------------------------------------------------


def test_the_items_page_costs_the_same_queries_with_many_comments(
    partner_client, world, items, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = items.action.get_absolute_url()
    partner_client.get(url)  # a session's first request records when it began

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert partner_client.get(url).status_code == 200
        return len(queries)

    comment_on("action", items.action, author=world.lead)
    few = count()
    for n in range(12):
        first = comment_on("action", items.action, author=world.board, text=f"@Pat Partner {n}")
        first.mentioned.add(world.partner)
        comment_on("action", items.action, author=world.lead, parent=first)
    MembershipFactory(organisation=world.council)
    with django_assert_num_queries(few):
        partner_client.get(url)
