"""The comments on an item: drawn at the foot of its page (``discussion``, through the core's
hook), fetched again when someone next acts on the page, posted, changed and hidden."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments import access, services
from comments.forms import CommentEditForm, CommentForm, CommentHideForm
from comments.models import Comment
from comments.templatetags.comment_text import comment_html
from improveplan import once
from improveplan.models import Plan
from improveplan.views import form_errors_from

# Tells htmx's caller that the part it showed is current: nothing to swap.
NOTHING_NEW = 204


def _kind(kind: str) -> access.Kind:
    if kind not in access.KINDS:
        raise Http404("No such page.")
    return access.KINDS[kind]


def thread_stamp(kind: str, thing) -> str:
    """What the comments on an item are now, in a few characters: it changes with every
    comment posted, changed or hidden (one query)."""
    found = Comment.objects.on(kind, thing).aggregate(
        count=Count("pk"), last=Max("pk"), edited=Max("edited_at"), hidden=Max("hidden_at")
    )
    seen = "|".join(str(found[key]) for key in ("count", "last", "edited", "hidden"))
    return hashlib.blake2s(seen.encode(), digest_size=6).hexdigest()


def _threads(comments: list[Comment]) -> list[tuple[Comment, list[Comment]]]:
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [
        (comment, replies.get(comment.pk, [])) for comment in comments if comment.parent_id is None
    ]


def _link(name: str) -> str:
    """A URL pattern's address with ``{}`` for the id (reverse() once, not per comment)."""
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def _shown(comments: list[Comment], *, viewer_id: int, may_write: bool, manages: bool) -> None:
    """What the list shows of each comment, worked out here once rather than looked up and
    filtered again and again in the template (a long discussion stays quick to draw)."""
    now = timezone.now()
    edit, hide = _link("comments:edit"), _link("comments:hide")
    for comment in comments:
        comment.by = str(comment.author) if comment.author else "A former member"
        when = timezone.localtime(comment.created_at)
        comment.when, comment.when_iso = f"{when:%-d %b %Y, %H:%M}", when.isoformat()
        if comment.is_hidden:
            comment.hidden_when = f"{timezone.localtime(comment.hidden_at):%-d %b %Y}"
            continue
        comment.html = comment_html(comment)
        comment.change_url = (
            edit.format(comment.pk)
            if may_write and comment.author_id == viewer_id and now < comment.editable_until()
            else ""
        )
        comment.hide_url = hide.format(comment.pk) if manages else ""


def _list_context(request: HttpRequest, kind: str, thing) -> dict:
    comments = list(Comment.objects.on(kind, thing).thread())
    membership = request.membership
    open_plan = thing.plan.status != Plan.Status.ARCHIVED
    may_write = open_plan and access.may_comment(membership)
    manages = membership.manages and open_plan
    _shown(comments, viewer_id=request.user.pk, may_write=may_write, manages=manages)
    return {
        "kind": kind,
        "thing": thing,
        "threads": _threads(comments),
        "count": len(comments),
        "stamp": thread_stamp(kind, thing),
        "thread_url": reverse(f"comments:{kind}", args=[thing.pk]),
        "may_write": may_write,
        "manages": manages,
    }


def _context(request: HttpRequest, kind: str, thing, *, form=None, reply_to=None) -> dict:
    context = _list_context(request, kind, thing)
    membership = request.membership
    if context["may_write"]:
        form = form or CommentForm(
            kind=kind, thing=thing, initial={"parent": reply_to.pk} if reply_to else None
        )
        context["suggestions"] = services.suggestions(thing.plan, viewer=request.user)
    context.update(
        {
            "form": form if context["may_write"] else None,
            "post_url": reverse(f"comments:{kind}_post", args=[thing.pk]),
            "reply_to": reply_to,
            "archived": thing.plan.status == Plan.Status.ARCHIVED,
            "reader_only": not access.may_comment(membership),
            "peer_reviewer": getattr(membership, "is_peer_reviewer", False),
        }
    )
    return context


def discussion(request: HttpRequest, thing) -> str:
    """The comments at the foot of an item's page (improveplan.discussion's hook): the
    item's view has already decided that the viewer may read it."""
    kind = access.kind_of(thing)
    return render_to_string(
        "comments/_discussion.html", _context(request, kind, thing), request=request
    )


@login_required
@require_GET
def thread(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The comments on an item. htmx asks for the list again when the person next acts on the
    item's page (``?since=`` the stamp it shows: 204 if nothing changed); a browser without
    scripts gets a page with the comments and the form, to reply to one (``?reply=``)."""
    thing = _kind(kind).get(request, pk)
    if request.headers.get("HX-Request") == "true":
        if request.GET.get("since") == thread_stamp(kind, thing):
            return HttpResponse(status=NOTHING_NEW)
        context = {**_list_context(request, kind, thing), "bell": True}
        return render(request, "comments/_list.html", context)
    reply_to = None
    if (asked := request.GET.get("reply", "")).isdigit() and int(asked) < 2**63:
        reply_to = Comment.objects.on(kind, thing).filter(pk=asked, hidden_at__isnull=True).first()
    context = _context(request, kind, thing, reply_to=reply_to)
    return render(request, "comments/thread.html", {**context, "plan": thing.plan})


@login_required
@require_POST
def post(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Post a comment or a reply. From the item's page it comes by htmx and gets the comments
    back, the new one with them, and an empty form; without scripts, a redirect to it."""
    thing = _kind(kind).get(request, pk)
    access.check_may_comment(request, thing)
    in_place = request.headers.get("HX-Request") == "true"
    form = CommentForm(request.POST, kind=kind, thing=thing)
    if once.sent_before(request):
        return _sent_twice(request, kind, thing)
    if form.is_valid():
        try:
            comment = once.save_once(
                request,
                lambda: services.comment_post(
                    kind=kind,
                    thing=thing,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    parent=form.cleaned_data["parent"],
                ),
            )
        except ValidationError as error:
            form_errors_from(error, form)
        except once.AlreadySaved:
            return _sent_twice(request, kind, thing)
        else:
            if in_place:
                context = {**_context(request, kind, thing), "posted": comment, "bell": True}
                return render(request, "comments/_discussion.html", context)
            messages.success(request, "Your comment is posted.")
            return redirect(services.permalink(comment, thing))
    context = _context(request, kind, thing, form=form, reply_to=form.cleaned_data.get("parent"))
    if in_place:
        return render(request, "comments/_discussion.html", context, status=422)
    return render(request, "comments/thread.html", {**context, "plan": thing.plan})


def _sent_twice(request: HttpRequest, kind: str, thing) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        context = {**_context(request, kind, thing), "already": True}
        return render(request, "comments/_discussion.html", context)
    return once.already_saved(
        request,
        noun="comment",
        back_to=f"{thing.get_absolute_url()}#comments",
        where="Go back to the comments",
    )


def _item_of(comment: Comment):
    return getattr(comment, comment.kind)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one's own comment, for a short while after posting it."""
    comment = access.get_own_comment_to_edit(request, pk)
    thing = _item_of(comment)
    form = CommentEditForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                comment=comment, thing=thing, text=form.cleaned_data["text"], by=request.user
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "Your comment is changed.")
            return redirect(services.permalink(comment, thing))
    return _comment_page(request, comment, thing, form, "comments/edit.html")


@login_required
@require_http_methods(["GET", "POST"])
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead hides a comment, with a reason shown in its place."""
    comment = access.get_comment_for_user(request, pk, manage=True)
    thing = _item_of(comment)
    form = CommentHideForm(request.POST or None)
    if comment.is_hidden:
        messages.info(request, "This comment is hidden already.")
        return redirect(services.permalink(comment, thing))
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_hide(
                comment=comment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "The comment is hidden; the history of changes keeps it.")
            return redirect(services.permalink(comment, thing))
    return _comment_page(request, comment, thing, form, "comments/hide.html")


def _comment_page(request, comment, thing, form, template: str) -> HttpResponse:
    return render(
        request,
        template,
        {
            "comment": comment,
            "thing": thing,
            "item": services.item_name(comment.kind, thing),
            "form": form,
            "plan": comment.plan,
            "partnership": comment.plan.partnership,
            "minutes": int(Comment.EDITABLE_FOR.total_seconds() // 60),
        },
    )
