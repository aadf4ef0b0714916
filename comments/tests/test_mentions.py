"""@mentions: who may be mentioned (members who may read the item), how a name is read from
the text, who is told, and whom the page suggests as a person types."""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from comments import mentions
from comments.models import Comment
from comments.tests.factories import CommentFactory
from improveplan.models import Notification, User
from improveplan.tests.factories import MembershipFactory

PEOPLE = [(1, "Pat Partner"), (2, "Pat"), (3, "Lena Lead"), (4, "Zoë Ærø")]


# Reading names from the text (plain Python) -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("@Pat Partner can you check?", [1]),
        ("@pat partner, and @LENA LEAD.", [1, 3]),
        ("Ask @Pat first", [2]),  # the longer name is not there
        ("@Pat Partnership", [2]),  # a name ends where a word ends
        ("@Patrick", []),
        ("mail pat@Pat Partner or pat@example.org", []),  # inside a word: an address
        ("(@Lena Lead)", [3]),
        ("@Zoë Ærø!", [4]),
        ("@Pat Partner @Pat Partner", [1]),
        ("@Otto Outsider", []),
        ("@", []),
        ("", []),
    ],
)
def test_names_are_read_from_the_text(text, ids):
    assert mentions.mentioned(text, PEOPLE) == ids


def test_two_people_of_the_same_name_are_both_mentioned():
    assert mentions.mentioned("@Sam Smith?", [(7, "Sam Smith"), (1, "Pat"), (8, "sam smith")]) == [
        7,
        8,
    ]


def test_the_text_comes_back_whole_in_its_pieces():
    text = "Hi @Pat Partner and @Lena Lead!"
    pieces = mentions.pieces(text, PEOPLE)
    assert "".join(piece.text for piece in pieces) == text
    assert [(p.text, p.person) for p in pieces if p.person] == [
        ("@Pat Partner", 1),
        ("@Lena Lead", 3),
    ]


# Who is told --------------------------------------------------------------------------


def post(client, thing, text, **extra):
    url = reverse("comments:action_post", args=[thing.pk])
    return client.post(url, {"text": text, **extra})


@pytest.mark.django_db
def test_a_partner_mentions_a_lead_who_is_told(partner_client, world, items):
    assert post(partner_client, items.action, "@Lena Lead can you confirm the venue?").status_code
    comment = Comment.objects.get()
    assert list(comment.mentioned.all()) == [world.lead]
    told = Notification.objects.get()
    assert (told.user, told.kind, told.actor, told.plan) == (
        world.lead,
        Notification.Kind.MENTION,
        world.partner,
        world.plan,
    )
    assert told.text == (
        f"Pat Partner mentioned you on {items.action.reference} Open a clinic: "
        "“@Lena Lead can you confirm the venue?”"
    )
    assert told.url == f"{items.action.get_absolute_url()}#comment-{comment.pk}"
    world.lead.refresh_from_db()
    assert world.lead.unread_notifications == 1
    # On the page the mention is marked.
    page = partner_client.get(items.action.get_absolute_url()).content.decode()
    assert '<strong class="mention">@Lena Lead</strong> can you confirm the venue?' in page


@pytest.mark.django_db
def test_only_members_who_may_read_the_item_can_be_mentioned(partner_client, world, items):
    gone = MembershipFactory(organisation=world.council, user__full_name="Gus Gone").user
    User.objects.filter(pk=gone.pk).update(is_active=False)
    post(
        partner_client,
        items.action,
        "@Otto Outsider @Petra Peer @Gus Gone @Pat Partner and @Bo Board",
    )
    comment = Comment.objects.get()
    # The other partnership's lead, the peer reviewer (no member), someone whose account is
    # closed, and the author: none is mentioned, none told. The board member is.
    assert list(comment.mentioned.all()) == [world.board]
    assert list(Notification.objects.values_list("user", flat=True)) == [world.board.pk]


@pytest.mark.django_db
def test_someone_mentioned_in_a_reply_to_their_comment_is_told_once(partner_client, world, items):
    question = CommentFactory(action=items.action, author=world.lead)
    post(partner_client, items.action, "@Lena Lead yes", parent=question.pk)
    told = Notification.objects.get()
    assert (told.user, told.kind) == (world.lead, Notification.Kind.MENTION)


@pytest.mark.django_db
def test_a_change_tells_only_those_it_newly_mentions(partner_client, world, items):
    with time_machine.travel(timezone.now(), tick=False):
        post(partner_client, items.action, "@Lena Lead see this")
        comment = Comment.objects.get()
        partner_client.post(
            reverse("comments:edit", args=[comment.pk]), {"text": "@Lena Lead and @Bo Board"}
        )
    assert sorted(Notification.objects.values_list("user__full_name", "kind")) == [
        ("Bo Board", "mention"),
        ("Lena Lead", "mention"),
    ]
    assert set(comment.mentioned.all()) == {world.lead, world.board}


@pytest.mark.django_db
def test_the_page_suggests_those_who_may_read_the_item(partner_client, world, items):
    page = partner_client.get(items.action.get_absolute_url()).content.decode()
    found = re.search(
        r'<script id="action-\d+-comment-text-people-data" type="application/json"[^>]*>'
        r"(.*?)</script>",
        page,
    )
    people = json.loads(found.group(1))
    assert [person["name"] for person in people] == ["Bo Board", "Lena Lead"]
    assert people[1]["organisation"] == "Riverside Council"
    # The text box says where its suggestions are, as the combobox pattern asks.
    assert 'aria-autocomplete="list"' in page
    assert 'role="listbox" aria-label="People to mention"' in page


@pytest.mark.django_db
def test_nothing_is_suggested_to_those_who_may_not_write(board_client, items):
    page = board_client.get(items.action.get_absolute_url()).content.decode()
    assert "people-data" not in page


@pytest.mark.django_db
def test_a_member_removed_from_the_partnership_loses_its_notifications(lead_client, world, items):
    CommentFactory(action=items.action)
    post(lead_client, items.action, "@Pat Partner over to you")
    membership = world.membership(world.partner)
    lead_client.post(reverse("improveplan:membership_remove", args=[membership.pk]))
    assert not Notification.objects.filter(user=world.partner).exists()
    world.partner.refresh_from_db()
    assert world.partner.unread_notifications == 0
