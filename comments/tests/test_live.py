"""The comments on an item come again when the person next acts on its page (htmx): a cheap
"nothing new" while nothing changed, the list afresh when it has, and posting in place."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def stamp_on(page: str) -> str:
    return re.search(r'data-live-stamp="([0-9a-f]+)"', page).group(1)


def test_nothing_new_costs_one_query_of_its_own_and_no_body(
    partner_client, world, items, django_assert_num_queries
):
    CommentFactory.create_batch(20, action=items.action, author=world.lead, text="Before")
    page = partner_client.get(items.action.get_absolute_url()).content.decode()
    url = reverse("comments:action", args=[items.action.pk])
    stamp = stamp_on(page)
    # The session, the person, the action, the membership that lets them read it, and the
    # stamp: one query of its own, however many comments.
    with django_assert_num_queries(5):
        response = partner_client.get(f"{url}?since={stamp}", headers=HTMX)
    assert response.status_code == 204
    assert response.content == b""


def test_a_comment_posted_by_someone_else_comes_when_asked_again(client, world, items):
    client.force_login(world.partner)
    page = client.get(items.action.get_absolute_url()).content.decode()
    url = reverse("comments:action", args=[items.action.pk])
    stamp = stamp_on(page)
    CommentFactory(action=items.action, author=world.lead, text="Posted meanwhile")
    response = client.get(f"{url}?since={stamp}", headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Posted meanwhile" in body
    assert stamp_on(body) != stamp
    assert body.startswith('\n<div class="comment-list"') or 'class="comment-list"' in body
    # And the bell, swapped in beside it.
    assert '<span id="bell-count" hx-swap-oob="true">' in body


@pytest.mark.parametrize("change", ["edit", "hide"])
def test_a_change_to_a_comment_changes_the_stamp(partner_client, world, items, change):
    comment = CommentFactory(action=items.action, author=world.partner)
    url = reverse("comments:action", args=[items.action.pk])
    page = partner_client.get(items.action.get_absolute_url()).content.decode()
    stamp = stamp_on(page)
    if change == "edit":
        Comment.objects.filter(pk=comment.pk).update(text="New", edited_at=comment.created_at)
    else:
        Comment.objects.filter(pk=comment.pk).update(
            hidden_at=comment.created_at, hidden_by=world.lead, hidden_reason="Because"
        )
    assert partner_client.get(f"{url}?since={stamp}", headers=HTMX).status_code == 200


def test_a_post_in_place_gets_the_comments_back_with_an_empty_form(partner_client, world, items):
    CommentFactory(action=items.action, author=world.lead, text="Someone else's, meanwhile")
    url = reverse("comments:action_post", args=[items.action.pk])
    response = partner_client.post(url, {"text": "Mine, in place"}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="discussion')
    assert "Someone else&#x27;s, meanwhile" in body and "Mine, in place" in body
    assert "Your comment is posted." in body
    assert "</textarea>" in body and ">Mine, in place</textarea>" not in body


def test_a_refused_post_in_place_keeps_what_was_typed(partner_client, items):
    url = reverse("comments:action_post", args=[items.action.pk])
    response = partner_client.post(url, {"text": "x" * 2001}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Not saved yet" in body
    assert "x" * 2001 + "</textarea>" in body
    assert not Comment.objects.exists()


def test_the_live_list_is_for_readers_only(outsider_client, items):
    url = reverse("comments:action", args=[items.action.pk])
    assert outsider_client.get(f"{url}?since=x", headers=HTMX).status_code == 404
