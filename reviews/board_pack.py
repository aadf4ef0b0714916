"""The board pack: before each review meeting, a plan's board papers go by email to those a
lead chose (its board members by default), once to each.

A review's papers go out from ``days_before`` its meeting (``BoardPack``, 7 by default) until
the meeting, while the review is not signed off and its plan not archived. The reminder run
(reviews.services.digests_run) claims one ``DigestClaim`` per person, keyed by the review and
dated by the meeting day, so each person gets it once however many runs, schedulers or
retries there are; the review's page lists who was sent it and when.

The papers are the reports app's (through reviews.hooks): the board report of the review's
quarter, attached while it is at most ``BOARD_PACK_ATTACH_MB``, linked otherwise, and the
decisions it asks the board to take.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from improveplan.models import Membership, Plan, Role
from improveplan.text import email_subject
from reviews import hooks, periods
from reviews.models import BoardPack, DigestClaim, Review
from reviews.reminders import Digest, Item

logger = logging.getLogger(__name__)

KEY = "board-pack-"  # + the review's id
MEETING, REPORT, DECISION = "meeting", "report", "decision"


def key_of(review_id: int) -> str:
    return f"{KEY}{review_id}"


def review_id_of(key: str) -> int:
    return int(key.removeprefix(KEY))


def settings_of(plan) -> BoardPack:
    """The plan's choice, or the default (not saved)."""
    return BoardPack.objects.filter(plan=plan).first() or BoardPack(plan=plan)


def recipients(plan_ids: list[int]) -> dict[int, dict[int, tuple[str, str]]]:
    """Who receives each plan's papers now, by plan: ``{user id: (email, name)}`` (two
    queries)."""
    packs = {pack.plan_id: pack for pack in BoardPack.objects.filter(plan_id__in=plan_ids)}
    chosen = defaultdict(set)
    for plan_id, membership_id in BoardPack.others.through.objects.filter(
        boardpack__plan_id__in=plan_ids
    ).values_list("boardpack__plan_id", "membership_id"):
        chosen[plan_id].add(membership_id)
    plans = dict(Plan.objects.filter(pk__in=plan_ids).values_list("pk", "partnership_id"))
    found: dict[int, dict[int, tuple[str, str]]] = {plan_id: {} for plan_id in plan_ids}
    members = Membership.objects.filter(
        partnership_id__in=set(plans.values()), user__is_active=True
    ).values_list("pk", "partnership_id", "role", "user_id", "user__email", "user__full_name")
    for membership_id, partnership_id, role, user_id, email, name in members:
        for plan_id, plan_partnership in plans.items():
            if plan_partnership != partnership_id:
                continue
            pack = packs.get(plan_id) or BoardPack()
            board = pack.board_members and role == Role.BOARD
            if board or membership_id in chosen[plan_id]:
                found[plan_id][user_id] = (email, name)
    return found


def reviews_due(day: date, *, review_ids: list[int] | None = None) -> list[Review]:
    """Reviews whose papers go out by ``day``: meeting from ``day`` to the plan's days before
    it, not signed off, plan not archived."""
    rows = (
        Review.objects.filter(
            signed_off_at__isnull=True,
            meets_on__range=(day, day + timedelta(days=BoardPack.MAX_DAYS)),
        )
        .exclude(plan__status=Plan.Status.ARCHIVED)
        .select_related("plan__partnership")
        .order_by("meets_on", "pk")
    )
    if review_ids is not None:
        rows = rows.filter(pk__in=review_ids)
    reviews = list(rows)
    days = dict(
        BoardPack.objects.filter(plan_id__in={r.plan_id for r in reviews}).values_list(
            "plan_id", "days_before"
        )
    )
    return [
        review
        for review in reviews
        if review.meets_on - timedelta(days=days.get(review.plan_id, BoardPack.DEFAULT_DAYS)) <= day
    ]


def digests(review: Review, people: dict[int, tuple[str, str]], *, today: date) -> dict:
    """What each person's email says, by user id (the papers are read once for all)."""
    papers = hooks.board_papers_for(review, today=today)
    if papers is None or not people:
        return {}
    plan = review.plan
    review_url = settings.SITE_URL + review.get_absolute_url()
    items = [
        Item(
            MEETING,
            f"the review of {plan}",
            f"for {periods.label(review.period_start, review.period_end)}; the meeting is on "
            f"{review.meets_on:%A %-d %B %Y}",
            review_url,
            str(plan),
        ),
        Item(
            REPORT,
            f"the board report for {papers.quarter}",
            papers.file_name,
            papers.url,
            str(plan),
        ),
        *(Item(DECISION, decision, "", review_url, str(plan)) for decision in papers.decisions),
    ]
    return {
        user_id: Digest(user_id, email, name, list(items))
        for user_id, (email, name) in people.items()
    }


def unclaimed(day: date, *, user_ids: list[int] | None = None) -> list[tuple[Review, dict]]:
    """The reviews due by ``day`` with someone still to send to, and whom: their emails are
    built only when someone is (a few queries when everyone has been)."""
    reviews = reviews_due(day)
    if not reviews:
        return []
    people = recipients(sorted({review.plan_id for review in reviews}))
    claimed = defaultdict(set)
    for key, user_id in DigestClaim.objects.filter(
        key__in=[key_of(review.pk) for review in reviews]
    ).values_list("key", "user_id"):
        claimed[key].add(user_id)
    found = []
    for review in reviews:
        waiting = {
            user_id: person
            for user_id, person in people[review.plan_id].items()
            if user_id not in claimed[key_of(review.pk)]
            and (user_ids is None or user_id in user_ids)
        }
        if waiting:
            found.append((review, waiting))
    return found


def digests_for_claims(claims, *, today: date) -> dict[int, Digest | None]:
    """The emails of claims a run takes over, from the data as it is now: nothing once the
    review is signed off or past, or for someone no longer among its recipients."""
    by_review = defaultdict(list)
    for claim in claims:
        by_review[review_id_of(claim.key)].append(claim)
    found: dict[int, Digest | None] = {}
    due = {review.pk: review for review in reviews_due(today, review_ids=list(by_review))}
    people = recipients(sorted({review.plan_id for review in due.values()}))
    for review_id, group in by_review.items():
        review = due.get(review_id)
        built = (
            digests(
                review,
                {
                    c.user_id: people[review.plan_id][c.user_id]
                    for c in group
                    if c.user_id in people[review.plan_id]
                },
                today=today,
            )
            if review
            else {}
        )
        found.update({claim.pk: built.get(claim.user_id) for claim in group})
    return found


def still_due(claim: DigestClaim, *, today: date) -> Review | None:
    """The claim's review, if its papers are still to go to this person now."""
    review = (
        Review.objects.select_related("plan__partnership")
        .filter(
            pk=review_id_of(claim.key),
            signed_off_at__isnull=True,
            meets_on__gte=today,
        )
        .exclude(plan__status=Plan.Status.ARCHIVED)
        .first()
    )
    if review is None or claim.user_id not in recipients([review.plan_id])[review.plan_id]:
        return None
    return review


def message(digest: Digest, *, review: Review, today: date) -> EmailMultiAlternatives:
    """The board pack's email, with the board report attached when it is small enough."""
    meeting, report, *decisions = digest.items
    pdf = None
    try:
        pdf = hooks.board_pdf_for(review, today=today)
    except Exception:  # a report that will not render still leaves its link
        logger.exception("The board report of review %s could not be rendered", review.pk)
    attached = pdf is not None and len(pdf) <= settings.BOARD_PACK_ATTACH_BYTES
    context = {
        "digest": digest,
        "meeting": meeting,
        "report": report,
        "decisions": decisions,
        "attached": attached,
        "too_large": pdf is not None and not attached,
        "limit_mb": settings.BOARD_PACK_ATTACH_BYTES // 1_048_576,
        "site_name": settings.SITE_NAME,
    }
    subject = email_subject(render_to_string("reviews/emails/board_pack_subject.txt", context))
    email = EmailMultiAlternatives(
        subject, render_to_string("reviews/emails/board_pack.txt", context), None, [digest.email]
    )
    email.attach_alternative(
        render_to_string("reviews/emails/board_pack.html", context), "text/html"
    )
    if attached:
        email.attach(report.detail, pdf, "application/pdf")
    return email


def sends(review: Review) -> list[DigestClaim]:
    """Who the review's papers went to, and when (or how their email stands)."""
    return list(
        DigestClaim.objects.filter(key=key_of(review.pk))
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def settings_url(plan) -> str:
    return reverse("reviews:board_pack", args=[plan.pk])


def left_unsent_in_future(day: date) -> Q:
    """Board pack rows of meetings still to come, which a run may take over (the others are
    dated by the day they were made)."""
    return Q(key__startswith=KEY, day__gt=day)
