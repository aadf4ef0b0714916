"""The partnership's lessons library: what closed actions and reviews taught, across all its
plans, newest first, and searchable (performance management in partnerships: "lessons
learned are shared and used"). The page, the delivery plan and next year's plan read them
from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.urls import reverse

from actions.models import Action
from reviews.models import Review

MAX_QUERY = 200  # characters of a search


@dataclass(frozen=True)
class Lesson:
    text: str
    source: str  # where it was learned: an action or a review
    plan: str
    plan_id: int
    url: str
    when: date | None
    evidence: str = ""  # for an action: how we know it was done


def lessons(*, partnership_id: int | None = None, plan_id: int | None = None, query: str = ""):
    """Lessons of a partnership's plans (or of one plan), newest first; ``query`` keeps those
    whose lesson, action or plan mentions it. Two queries, however many there are."""
    query = query.strip()[:MAX_QUERY]
    actions = Action.objects.filter(closure=Action.Closure.CLOSED).exclude(lessons_learned="")
    reviews = Review.objects.exclude(lessons_learned="")
    if partnership_id is not None:
        actions = actions.filter(plan__partnership_id=partnership_id)
        reviews = reviews.filter(plan__partnership_id=partnership_id)
    if plan_id is not None:
        actions = actions.filter(plan_id=plan_id)
        reviews = reviews.filter(plan_id=plan_id)
    if query:
        actions = actions.filter(
            Q(lessons_learned__icontains=query)
            | Q(title__icontains=query)
            | Q(completion_evidence__icontains=query)
            | Q(plan__title__icontains=query)
        )
        reviews = reviews.filter(
            Q(lessons_learned__icontains=query) | Q(plan__title__icontains=query)
        )
    found = [
        Lesson(
            text=action.lessons_learned,
            source=f"Action {action.reference} {action.title}",
            plan=action.plan.title,
            plan_id=action.plan_id,
            url=action.get_absolute_url(),
            when=action.due,
            evidence=action.completion_evidence,
        )
        for action in actions.select_related("plan")
    ]
    found += [
        Lesson(
            text=review.lessons_learned,
            source=f"Review of {review.period_start:%-d %b %Y} to {review.period_end:%-d %b %Y}",
            plan=review.plan.title,
            plan_id=review.plan_id,
            url=reverse("reviews:review", args=[review.pk]),
            when=review.meets_on,
        )
        for review in reviews.select_related("plan")
    ]
    return sorted(found, key=lambda lesson: (lesson.when or date.min, lesson.source), reverse=True)
