"""The page a reminder's link opens: one action's update form, for one person, without
signing in (actions/email_links.py says when the link works)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from actions import forms, services
from actions.email_links import Refused, open_link
from improveplan import access


class EmailUpdateForm(forms.UpdateForm):
    """The update form without an evidence file: a file goes with an update made signed in."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["evidence_file"]


@require_http_methods(["GET", "HEAD", "POST"])
def update_from_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        opened = open_link(token)
    except Refused as why:
        if why.spent and request.method != "POST" and "saved" in request.GET:
            return render(request, "actions/update_link_saved.html")
        access.refuse(request, f"a reminder's update link: {why}")
        return render(request, "actions/update_link_refused.html", {"why": why}, status=410)
    action, user = opened.action, opened.user
    form = EmailUpdateForm(
        request.POST or None,
        initial={"status": action.status, "progress": action.progress},
        auto_id="id_%s",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_post(
                action=action,
                author=user,
                status=data["status"],
                progress=data["progress"],
                note=data["note"],
                evidence_link=data["evidence_link"],
                completion_evidence=data["completion_evidence"],
                lessons_learned=data["lessons_learned"],
            )
        except services.AlreadyPosted:
            pass  # the same form sent twice: saved once, and thanked for once
        except ValidationError as problem:
            form.add_error(None, problem)
        if not form.errors:
            return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "actions/update_link.html",
        {"action": action, "person": user, "form": form},
        status=422 if form.is_bound else 200,
    )
