"""A plan's public page, each indicator's chart to embed, and the lead's page that publishes
them.

The public page is built from the public summary's own data (reports.reports
.public_summary_context: no people's names, no internal notes, no risks), so the page and the
PDF cannot say different things. It is kept rendered for PUBLIC_PAGE_CACHE_SECONDS; whether
the plan is published is asked on every request, so unpublishing takes it down at once.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from improveplan import security
from improveplan.access import check_plan_open, get_plan_for_user
from improveplan.models import SecurityEvent
from outcomes.models import Indicator
from publishing.forms import PublishForm
from publishing.models import Publication
from reports.reports import public_summary_context


def _published(pk: int) -> Publication:
    publication = Publication.objects.select_related("plan__partnership").filter(plan_id=pk).first()
    if publication is None:
        raise Http404("This plan is not published.")
    return publication


def _page(request: HttpRequest, key: str, build) -> HttpResponse:
    """The page kept under ``key``, or built and kept; answered 304 when the browser has it."""
    html = cache.get(key)
    if html is None:
        html = build()
        if settings.PUBLIC_PAGE_CACHE_SECONDS:
            cache.set(key, html, settings.PUBLIC_PAGE_CACHE_SECONDS)
    etag = '"' + hashlib.sha256(html.encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(html)
    response["ETag"] = etag
    # Anyone may keep it, but must ask again before each use: an unpublished page is gone.
    response["Cache-Control"] = "public, no-cache"
    response.public_page = True  # improveplan.middleware.PrivateResponsesMiddleware
    return response


def _key(kind: str, publication: Publication, *rest) -> str:
    return ":".join(
        ["public", kind, str(publication.plan_id), str(publication.published_at.timestamp())]
        + [str(part) for part in rest]
    )


@require_safe
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _published(pk)

    def build() -> str:
        context = public_summary_context(publication.plan, today=timezone.localdate())
        return render_to_string("publishing/plan.html", {**context, "publication": publication})

    return _page(request, _key("plan", publication), build)


@require_safe
@xframe_options_exempt
def embed(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """One indicator's chart, its words and its data, to show inside another site: only the
    sites the lead named may frame it (every other page: frame-ancestors 'none')."""
    publication = _published(pk)
    if not Indicator.objects.filter(pk=indicator, plan_id=pk).exists():
        raise Http404("No such chart.")

    def build() -> str:
        context = public_summary_context(publication.plan, today=timezone.localdate())
        found = next(
            (
                (outcome, item)
                for outcome in context["outcomes"]
                for item in outcome["indicators"]
                if item["pk"] == indicator
            ),
            None,
        )
        if found is None:
            raise Http404("No such chart.")
        outcome, item = found
        return render_to_string(
            "publishing/embed.html",
            {**context, "outcome": outcome, "indicator": item, "publication": publication},
        )

    response = _page(request, _key("embed", publication, indicator), build)
    response._csp_replace = {"frame-ancestors": publication.origins or ["'none'"]}
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead publishes the plan's public page (or changes the sites that may embed it)."""
    plan = get_plan_for_user(request, pk, manage=True)
    publication = Publication.objects.filter(plan=plan).first()
    initial = {"embed_sites": publication.embed_sites if publication else ""}
    form = PublishForm(request.POST or None, initial=initial)
    if request.method == "POST":
        check_plan_open(request, plan)
        if form.is_valid():
            sites = form.cleaned_data["embed_sites"]
            if publication is None:
                Publication.objects.create(plan=plan, published_by=request.user, embed_sites=sites)
                detail = "published"
                messages.success(request, "The plan's public page is up: anyone may read it.")
            else:
                # A new time: the kept pages of the old publication are not served again.
                Publication.objects.filter(pk=publication.pk).update(
                    embed_sites=sites, published_at=timezone.now()
                )
                detail = "embedding sites changed"
                messages.success(request, "Saved: the public page and its charts are up to date.")
            security.record(
                SecurityEvent.Kind.PUBLISHED,
                request=request,
                partnership_id=plan.partnership_id,
                detail=f"Plan {plan.pk} {detail}: {sites.replace(chr(10), ' ') or 'no sites'}",
            )
            return redirect("publishing:publish", pk=plan.pk)
    indicators = Indicator.objects.filter(plan=plan).order_by("outcome__priority", "code")
    return render(
        request,
        "publishing/publish.html",
        {
            "plan": plan,
            "partnership": plan.partnership,
            "publication": publication,
            "form": form,
            "indicators": indicators,
            "site_url": settings.SITE_URL,
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk, manage=True, archived_ok=True)
    deleted, _ = Publication.objects.filter(plan=plan).delete()
    if deleted:
        security.record(
            SecurityEvent.Kind.PUBLISHED,
            request=request,
            partnership_id=plan.partnership_id,
            detail=f"Plan {plan.pk} unpublished.",
        )
        messages.success(request, "The public page is down: its address now answers “not found”.")
    else:
        messages.info(request, "The plan was not published.")
    return redirect("publishing:publish", pk=plan.pk)
