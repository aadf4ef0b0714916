"""Health check results: each ingredient across members, against the previous check."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

from reviews.ingredients import INGREDIENTS
from reviews.models import HealthCheck, HealthScore


def previous_check(health_check: HealthCheck) -> HealthCheck | None:
    return (
        HealthCheck.objects.filter(
            partnership_id=health_check.partnership_id, opened_on__lt=health_check.opened_on
        )
        .order_by("-opened_on", "-pk")
        .first()
    )


def results(health_check: HealthCheck) -> tuple[list[dict], HealthCheck | None, int]:
    """(one row per ingredient, the previous check, how many members scored)."""
    before = previous_check(health_check)
    wanted = [health_check.pk] + ([before.pk] if before else [])
    scores: dict[tuple[int, str], list[int]] = defaultdict(list)
    comments: dict[str, list[str]] = defaultdict(list)
    people: set[int] = set()
    for check_id, user_id, ingredient, score, comment in HealthScore.objects.filter(
        health_check_id__in=wanted
    ).values_list("health_check_id", "user_id", "ingredient", "score", "comment"):
        scores[check_id, ingredient].append(score)
        if check_id == health_check.pk:
            people.add(user_id)
            if comment:
                comments[ingredient].append(comment)
    rows = []
    for slug, (name, statement) in INGREDIENTS.items():
        now = scores.get((health_check.pk, slug), [])
        then = scores.get((before.pk, slug), []) if before else []
        row = {
            "slug": slug,
            "name": name,
            "statement": statement,
            "count": len(now),
            "average": mean(now) if now else None,
            "lowest": min(now) if now else None,
            "highest": max(now) if now else None,
            "previous": mean(then) if then else None,
            "comments": comments.get(slug, []),
        }
        if row["average"] is not None and row["previous"] is not None:
            row["change"] = row["average"] - row["previous"]
        rows.append(row)
    return rows, before, len(people)
