"""Add, edit and delete, for every kind of thing that hangs off a plan.

Each app registers its kinds: the form, the access helpers for the thing and its parent, and
where to go afterwards. The three views and the URL helper ``crud`` do the rest, so every
kind gets the same access rules, the same pages and the same place in the access sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from improveplan import history, once
from improveplan.periods import PeriodClosed, closing_period
from improveplan.views import form_page, next_or


def plan_id_of(reading) -> int:
    return reading.indicator.plan_id


@dataclass(frozen=True)
class Kind:
    """One kind of thing that leads (and sometimes partners) add, edit and delete."""

    noun: str
    form: type
    get_parent: Callable  # access helper for the parent, from its id
    get_object: Callable  # access helper for the object, from its id
    parent_of: Callable[[Model], Model]
    back_to: Callable[[Model], str]  # where to go afterwards, given the parent
    # Who else may write, besides leads: called with the request and the parent, it raises
    # PermissionDenied for anyone else (e.g. partners of the indicator's owner, for readings).
    writers: Callable | None = None


KINDS: dict[str, Kind] = {}


def register(name: str, kind: Kind) -> None:
    KINDS[name] = kind


def crud(prefix: str, parent: str, kind: str) -> list:
    """Add, edit and delete for one kind: /<parent>/<id>/<prefix>/new/ and
    /<prefix>/<id>/edit/ and /<prefix>/<id>/delete/."""
    return [
        path(
            f"{parent}/<int:pk>/{prefix}/new/", item_create, {"kind": kind}, name=f"{kind}_create"
        ),
        path(f"{prefix}/<int:pk>/edit/", item_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(f"{prefix}/<int:pk>/delete/", item_delete, {"kind": kind}, name=f"{kind}_delete"),
    ]


def _plan_of(thing):
    """The plan a thing belongs to (or the plan itself), for breadcrumbs."""
    for chain in (
        "plan",
        "outcome.plan",
        "indicator.plan",
        "comparator.indicator.plan",
        "action.plan",
    ):
        current = thing
        for attribute in chain.split("."):
            current = getattr(current, attribute, None)
        if current is not None:
            return current
    return thing  # the parent is the plan itself


def _get_parent(request: HttpRequest, kind: Kind, pk: int):
    if kind.writers:
        parent = kind.get_parent(request, pk)
        kind.writers(request, parent)
        return parent
    return kind.get_parent(request, pk, manage=True)


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    config = KINDS[kind]
    parent = _get_parent(request, config, pk)
    initial = (
        {"kind": request.GET["kind"]} if kind == "evidence" and "kind" in request.GET else None
    )
    form = config.form(request.POST or None, parent=parent, initial=initial)
    if request.method == "POST" and (form.is_valid() or once.sent_before(request)):
        form.attach(parent)
        if kind == "reading":
            form.instance.entered_by = request.user
        try:
            once.save_once(request, form.save)
        except once.AlreadySaved:
            return once.already_saved(
                request, noun=config.noun, back_to=config.back_to(parent), where=f"Go to {parent}"
            )
        messages.success(request, f"The {config.noun} has been added.")
        return redirect(next_or(request, config.back_to(parent)))
    plan = _plan_of(parent)
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Add {'an' if config.noun[0] in 'aeiou' else 'a'} {config.noun}: {parent}",
        submit=f"Save the {config.noun}",
        cancel_url=next_or(request, config.back_to(parent)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    config = KINDS[kind]
    item = config.get_object(request, pk, manage=True)
    parent = config.parent_of(item)
    form = config.form(request.POST or None, instance=item, parent=parent)
    if request.method == "POST" and form.is_valid():
        if kind == "reading":
            form.instance.entered_by = request.user
        try:
            once.save_once(request, form.save, claim=False)
        except once.AlreadySaved:
            # Another change, saved at the same moment, made this one clash with it.
            form.add_error(None, f"Another {config.noun} was saved with these details just now.")
        else:
            messages.success(request, f"The {config.noun} has been saved.")
            return redirect(next_or(request, config.back_to(parent)))
    item.refresh_from_db()
    plan = _plan_of(parent)
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Edit the {config.noun}: {item}",
        submit=f"Save the {config.noun}",
        cancel_url=next_or(request, config.back_to(parent)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    config = KINDS[kind]
    item = config.get_object(request, pk, manage=True)
    parent = config.parent_of(item)
    if kind == "reading" and (closed := closing_period(plan_id_of(item), item.period)):
        messages.error(request, f"{PeriodClosed(closed)} The reading stays; a lead may correct it.")
        return redirect(config.back_to(parent))
    if request.method == "POST":
        with transaction.atomic(), history.deleting(item):
            item.delete()
        messages.success(request, f"The {config.noun} “{item}” has been deleted.")
        return redirect(next_or(request, config.back_to(parent)))
    plan = _plan_of(parent)
    return render(
        request,
        "improveplan/confirm_delete.html",
        {
            "item": item,
            "noun": config.noun,
            "partnership": plan.partnership,
            "plan": plan,
            "cancel_url": next_or(request, config.back_to(parent)),
        },
    )
