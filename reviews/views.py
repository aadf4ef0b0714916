from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from improveplan import notifications, once
from improveplan.models import Role
from improveplan.views import form_errors_from, form_page, link_accept_page, unsent_message
from reviews import (
    access,
    board_pack,
    changes,
    health,
    hooks,
    lessons,
    locks,
    peer,
    periods,
    reminders,
    services,
)
from reviews.forms import (
    RESEND_WITHIN_DAYS,
    BoardPackForm,
    CorrectionForm,
    DecisionForm,
    HealthCheckForm,
    HealthScoresForm,
    JudgementForm,
    PeerAnswersForm,
    PeerInviteForm,
    ReminderPreferenceForm,
    ResendFailedForm,
    ReviewForm,
    ReviewRecordForm,
    ReviewScheduleForm,
)
from reviews.models import (
    DigestClaim,
    HealthScore,
    PeerAnswer,
    PeerReviewer,
    ReminderPreference,
    Review,
    ReviewSchedule,
)
from reviews.periods import period_of


@login_required
@require_GET
def review_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request, pk)
    schedule = ReviewSchedule.objects.filter(plan=plan).first() or ReviewSchedule(plan=plan)
    first, last = period_of(timezone.localdate(), schedule.months)
    reviews = list(plan.reviews.select_related("signed_off_by"))
    for review in reviews:
        review.report = hooks.board_report_for(review)
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "manages": request.membership.manages,
        "reviews": reviews,
        "schedule": schedule,
        "schedule_form": ReviewScheduleForm(instance=schedule),
        "current_period": periods.label(first, last),
        "current_done": any(review.period_start == first for review in reviews),
    }
    return render(request, "reviews/review_list.html", context)


@login_required
@require_POST
def review_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request, pk, manage=True)
    schedule = ReviewSchedule.objects.filter(plan=plan).first() or ReviewSchedule(plan=plan)
    form = ReviewScheduleForm(request.POST, instance=schedule)
    if form.is_valid():
        form.save()
        messages.success(request, f"Reviews are now held {schedule.get_months_display().lower()}.")
    else:
        messages.error(request, "Choose every quarter, every six months or every year.")
    return redirect("reviews:reviews", plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request, pk, manage=True)
    form = ReviewForm(request.POST or None, plan=plan, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        first, last = form.cleaned_data["period"]
        try:
            review = services.review_create(
                plan=plan,
                first=first,
                last=last,
                meets_on=form.cleaned_data["meets_on"],
                attendees=form.cleaned_data["attendees"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("period", error.message_dict["period"])
        else:
            messages.success(request, "The review is open. Start with what changed.")
            return redirect(review)
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Start a review of {plan}",
        submit="Start the review",
        cancel_url=reverse("reviews:reviews", args=[plan.pk]),
    )


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = access.get_review_for_user(request, pk)
    pack = board_pack.settings_of(review.plan)
    today = timezone.localdate()
    decisions = list(review.decisions.prefetch_related("outcomes", "actions"))
    moved = changes.decision_movements(decisions, today=today)
    context = {
        "review": review,
        "plan": review.plan,
        "partnership": review.plan.partnership,
        "manages": request.membership.manages,
        "may_sign_off": request.membership.role == Role.BOARD and not review.is_signed_off,
        "period": periods.label(review.period_start, review.period_end),
        "changed": changes.what_changed(review, today=today),
        "judgements": review.judgements.select_related("outcome"),
        "decisions": [(decision, moved[decision.pk]) for decision in decisions],
        "actions_checked": review.actions_checked.all(),
        "corrections": review.corrections.select_related("made_by"),
        "board_report": hooks.board_report_for(review),
        # Issue 22: who was sent the board papers, and when they go.
        "board_pack": pack,
        "papers_from": review.meets_on - timedelta(days=pack.days_before),
        "board_pack_sends": board_pack.sends(review),
    }
    return render(request, "reviews/review_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def board_pack_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead chooses who receives the plan's board papers, and how many days before each
    review meeting."""
    plan = access.get_plan_for_user(request, pk, manage=True)
    pack = board_pack.settings_of(plan)
    form = BoardPackForm(request.POST or None, instance=pack, plan=plan)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Who receives the board papers, and when, is saved.")
        return redirect("reviews:reviews", plan.pk)
    people = board_pack.recipients([plan.pk])[plan.pk]
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "form": form,
        "recipients": sorted(name or email for email, name in people.values()),
        "attach_mb": settings.BOARD_PACK_ATTACH_BYTES // 1_048_576,
    }
    return render(request, "reviews/board_pack.html", context)


def _open_review_for_lead(request: HttpRequest, pk: int) -> Review:
    review = access.get_review_for_user(request, pk, manage=True)
    services.check_open(review)
    return review


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def save(review, form) -> str:
        form.save()
        return "The review's record is saved."

    return _review_form(
        request,
        pk,
        lambda review, data: ReviewRecordForm(data, instance=review),
        save,
        "Record the meeting",
        "Save the record",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_judge(request: HttpRequest, pk: int) -> HttpResponse:
    def save(review, form) -> str:
        services.judgement_set(review=review, **form.cleaned_data)
        return f"The judgement on “{form.cleaned_data['outcome']}” is saved."

    return _review_form(
        request,
        pk,
        lambda review, data: JudgementForm(data, review=review),
        save,
        "Judge an outcome",
        "Save the judgement",
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    def save(review, form) -> str:
        form.save()
        return "The decision is recorded."

    return _review_form(
        request,
        pk,
        lambda review, data: DecisionForm(data, review=review),
        save,
        "Record a decision",
        "Save the decision",
    )


def _review_form(request, pk: int, make_form, save, title: str, submit: str) -> HttpResponse:
    """A lead's form on an open review: ``make_form(review, data)`` builds it, ``save(review,
    form)`` keeps what it says and returns the message that says so."""
    review = _open_review_for_lead(request, pk)
    form = make_form(review, request.POST or None)
    if request.method == "POST" and form.is_valid():
        messages.success(request, save(review, form))
        return redirect(review)
    return _review_form_page(request, review, form, title, submit)


def _review_form_page(request, review: Review, form, title: str, submit: str) -> HttpResponse:
    period = periods.label(review.period_start, review.period_end)
    return form_page(
        request,
        form,
        partnership=review.plan.partnership,
        plan=review.plan,
        title=f"{title}: review of {period}",
        submit=submit,
        cancel_url=review.get_absolute_url(),
    )


@login_required
@require_POST
def review_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """A board member signs the review off; its period's readings and updates close."""
    review = access.get_review_for_user(request, pk)
    try:
        services.review_sign_off(review=review, membership=request.membership)
    except PermissionDenied:
        access.refuse(request, f"signing off review {review.pk}", review.plan.partnership_id)
        raise
    messages.success(request, "The review is signed off. Its period's figures are now closed.")
    return redirect(review)


@login_required
@require_http_methods(["GET", "POST"])
def reading_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead corrects a reading of a period a signed-off review closed, with a reason."""
    reading = access.get_reading_for_user(request, pk)
    indicator = reading.indicator
    if not request.membership.manages:
        access.refuse(request, f"correcting reading {reading.pk}", indicator.plan.partnership_id)
        raise PermissionDenied("Only the partnership's leads may correct a closed period.")
    review = locks.closing_review(indicator.plan_id, reading.period)
    if review is None:
        messages.info(request, "This reading's period is open: edit it as usual.")
        return redirect("outcomes:reading_edit", reading.pk)
    form = CorrectionForm(request.POST or None, instance=reading)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in CorrectionForm.Meta.fields}
        reading.refresh_from_db()
        services.reading_correct(
            reading=reading,
            review=review,
            user=request.user,
            reason=form.cleaned_data["reason"],
            **values,
        )
        messages.success(request, "The reading is corrected, and the correction recorded.")
        return redirect(indicator)
    return form_page(
        request,
        form,
        partnership=indicator.plan.partnership,
        plan=indicator.plan,
        title=f"Correct a closed reading: {reading}",
        intro=str(locks.PeriodClosed(review)),
        submit="Correct the reading",
        cancel_url=indicator.get_absolute_url(),
    )


@login_required
@require_GET
def up_to_date(request: HttpRequest, pk: int) -> HttpResponse:
    """This quarter's updates and readings, in and missing, by organisation. Every member
    may see it; a lead may email those behind."""
    plan = access.get_plan_for_user(request, pk)
    today = timezone.localdate()
    first, last = periods.quarter_bounds(*periods.quarter_of(today))
    standings = reminders.who_is_up_to_date(plan, day=today)
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "standings": standings,
        "quarter": periods.label(first, last),
        "anyone_behind": any(standing.behind for standing in standings),
        "anything_to_update": any(
            standing.missing_updates
            or standing.updated
            or standing.readings_due
            or standing.readings_in
            for standing in standings
        ),
        "manages": request.membership.manages,
        # Only leads send failed reminders again, so only they see which failed.
        "failed_days": (
            failed_reminders(plan.partnership, today=today) if request.membership.manages else []
        ),
        "resend_within_days": RESEND_WITHIN_DAYS,
        # Each failed day's button posts this form, its day in a hidden field.
        "resend_form": ResendFailedForm(today=today),
    }
    return render(request, "reviews/up_to_date.html", context)


@dataclass(frozen=True)
class FailedReminder:
    """One failed email as a lead sees it: who, which email and why; never what it says,
    which may name another partnership's actions."""

    person: str
    what: str
    reason: str


def failed_reminders(partnership, *, today: date) -> list[tuple[date, list[FailedReminder]]]:
    """The partnership's failed reminders of the days a lead may send again, newest first."""
    since = today - timedelta(days=RESEND_WITHIN_DAYS - 1)
    rows = (
        DigestClaim.objects.failed()
        .of_partnership(partnership)
        .filter(day__range=(since, today))
        .select_related("user", "plan")
        .order_by("-day", "user__full_name", "user__email", "key")
    )
    by_day: dict[date, list[FailedReminder]] = defaultdict(list)
    for claim in rows:
        if claim.key == DigestClaim.DIGEST:
            what = "Daily reminders"
        elif claim.key.startswith(reminders.COMPLETION_KEY):
            what = f"An action to confirm ({claim.plan})"
        elif claim.key.startswith(reminders.NOTICE_KEY):
            what = f"A notification ({claim.plan})"
        elif claim.key.startswith(board_pack.KEY):
            what = f"The board papers of {claim.plan}"
        else:
            what = f"Reminder to those behind on {claim.plan}"
        reason = reminders.failure_reason(claim.last_error)
        by_day[claim.day].append(FailedReminder(str(claim.user), what, reason))
    return list(by_day.items())


@login_required
@require_POST
def resend_failed(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a day's failed reminders to the partnership's members again, once the cause is
    fixed (as `send_reminders --retry-failed` does for everyone): each is claimed again, so
    a second press, or one on another plan's page, sends nothing twice."""
    # It writes nothing into the plan: an archived plan's page may send them too.
    plan = access.get_plan_for_user(request, pk, manage=True, archived_ok=True, peer_ok=False)
    form = ResendFailedForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reviews:up_to_date", plan.pk)
    day = form.cleaned_data["day"]
    result = services.digests_send_again(
        DigestClaim.objects.of_partnership(plan.partnership).filter(day=day)
    )
    for level, text in resend_failed_messages(result, day=day):
        messages.add_message(request, level, text)
    return redirect("reviews:up_to_date", plan.pk)


def resend_failed_messages(result: services.RunResult, *, day: date) -> list[tuple[int, str]]:
    when = f"{day:%-d %B %Y}"
    if not result.held:
        return [
            (
                messages.INFO,
                f"No failed reminder of {when} is left to send: they have been sent again "
                "already, none failed, or nothing they said is still due.",
            )
        ]
    said = []
    unqueued = result.held - result.queued - result.not_queued  # queued once the work commits
    if unqueued:
        said.append(
            (messages.SUCCESS, f"{_reminders(unqueued, when)} being queued to be sent again.")
        )
    if result.queued:
        its = "its" if result.queued == 1 else "their"
        said.append((messages.SUCCESS, f"{_reminders(result.queued, when)} on {its} way again."))
    if result.not_queued:
        said.append(
            (
                messages.WARNING,
                f"{_reminders(result.not_queued, when)} not sent again: the service that "
                "sends email did not answer. Press the button again in a while.",
            )
        )
    return said


def _reminders(count: int, when: str) -> str:
    """ "1 failed reminder of 23 November 2026 is", "2 failed reminders of … are"."""
    if count == 1:
        return f"1 failed reminder of {when} is"
    return f"{count} failed reminders of {when} are"


@login_required
@require_POST
def remind_behind(request: HttpRequest, pk: int) -> HttpResponse:
    """Email everyone behind on this plan once; a second press the same day sends nothing.
    The message says what happened: queued, not queued, or how earlier presses stand."""
    plan = access.get_plan_for_user(request, pk, manage=True)
    result = services.one_off_send(plan=plan, day=timezone.localdate())
    for level, text in remind_behind_messages(result):
        messages.add_message(request, level, text)
    return redirect("reviews:up_to_date", plan.pk)


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def remind_behind_messages(result: services.RunResult) -> list[tuple[int, str]]:
    said = []
    unqueued = result.held - result.queued - result.not_queued  # queued once the work commits
    if unqueued:
        said.append((messages.SUCCESS, f"A reminder to {_people(unqueued)} is being queued."))
    if result.queued:
        said.append((messages.SUCCESS, f"A reminder is on its way to {_people(result.queued)}."))
    if result.not_queued:
        said.append(
            (
                messages.WARNING,
                f"The reminder to {_people(result.not_queued)} could not be sent now: the "
                "service that sends email did not answer. It will go with the next reminder "
                "run, on the hour.",
            )
        )
    earlier = result.earlier
    sent = earlier.get(DigestClaim.Status.SENT, 0)
    pending = earlier.get(DigestClaim.Status.CLAIMED, 0) + earlier.get(
        DigestClaim.Status.WAITING, 0
    )
    failed = earlier.get(DigestClaim.Status.FAILED, 0) + earlier.get(
        DigestClaim.Status.UNCERTAIN, 0
    )
    if sent and not (said or pending or failed):
        said.append((messages.INFO, "Everyone behind has already been reminded today."))
    elif sent:
        said.append((messages.INFO, f"{_people(sent)} behind had a reminder earlier today."))
    if pending:
        said.append(
            (
                messages.INFO,
                f"The reminder to {_people(pending)} from earlier today has not gone yet; "
                "it is being sent, or will be with the next reminder run.",
            )
        )
    if failed:
        said.append(
            (
                messages.WARNING,
                f"The reminder to {_people(failed)} from earlier today could not be "
                "delivered; an administrator can send it again.",
            )
        )
    if not said:
        said.append((messages.INFO, "Nobody is behind on this plan: no reminder was sent."))
    return said


@login_required
@require_GET
def health_checks(request: HttpRequest, pk: int) -> HttpResponse:
    """A partnership's health checks, newest first (yearly by default)."""
    partnership = access.get_partnership_for_user(request, pk)
    checks = list(partnership.health_checks.all())
    context = {
        "partnership": partnership,
        "checks": checks,
        "manages": request.membership.manages,
        "next_due": _a_year_after(checks[0].opened_on) if checks else None,
    }
    return render(request, "reviews/health_checks.html", context)


@login_required
@require_GET
def lessons_library(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue 24: the partnership's lessons, from closed actions and reviews of all its plans,
    newest first, searchable."""
    partnership = access.get_partnership_for_user(request, pk)
    query = request.GET.get("q", "")[: lessons.MAX_QUERY].strip()
    context = {
        "partnership": partnership,
        "query": query,
        "max_query": lessons.MAX_QUERY,
        "lessons": lessons.lessons(partnership_id=partnership.pk, query=query),
    }
    return render(request, "reviews/lessons.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def health_check_create(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = access.get_partnership_for_user(request, pk, manage=True)
    today = timezone.localdate()
    form = HealthCheckForm(
        request.POST or None,
        partnership=partnership,
        initial={"title": f"Health check {today.year}", "opened_on": today},
    )
    if request.method == "POST" and (form.is_valid() or once.sent_before(request)):
        try:
            check = once.save_once(request, form.save)
        except once.AlreadySaved:
            return once.already_saved(
                request,
                noun="health check",
                back_to=reverse("reviews:health_checks", args=[partnership.pk]),
                where="Go to the health checks",
            )
        messages.success(request, "The health check is open: every member may now score it.")
        return redirect(check)
    return form_page(
        request,
        form,
        partnership=partnership,
        title="Open a partnership health check",
        intro="Every member will score how the partnership works on nine ingredients of "
        "effective improvement. Once a year is usually enough.",
        submit="Open the health check",
        cancel_url=reverse("reviews:health_checks", args=[partnership.pk]),
    )


def _a_year_after(day):
    return day.replace(year=day.year + 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


@login_required
@require_GET
def health_check(request: HttpRequest, pk: int) -> HttpResponse:
    check = access.get_health_check_for_user(request, pk)
    rows, before, people = health.results(check)
    context = {
        "check": check,
        "partnership": check.partnership,
        "rows": rows,
        "before": before,
        "people": people,
        "members": check.partnership.memberships.count(),
    }
    return render(request, "reviews/health_check.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def health_check_score(request: HttpRequest, pk: int) -> HttpResponse:
    """Every member, whatever their role, scores how the partnership works."""
    check = access.get_health_check_for_user(request, pk)
    form = HealthScoresForm(request.POST or None, initial=_my_scores(check, request.user))
    if request.method == "POST" and form.is_valid():
        services.health_scores_save(health_check=check, user=request.user, scores=form.scores())
        messages.success(request, "Thank you: your scores are saved.")
        return redirect(check)
    return form_page(
        request,
        form,
        partnership=check.partnership,
        title=f"Score the partnership: {check}",
        intro="For each statement, 1 means it is not at all true of this partnership and 5 "
        "that it is entirely true. Only the totals are shown to others, with comments "
        "but not names.",
        submit="Save my scores",
        cancel_url=check.get_absolute_url(),
    )


def _my_scores(check, user) -> dict:
    initial = {}
    for score in HealthScore.objects.filter(health_check=check, user=user):
        initial[f"score_{score.ingredient}"] = score.score
        initial[f"comment_{score.ingredient}"] = score.comment
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own settings (every partnership they belong to): how each kind
    of notification reaches them, and their reminder digest."""
    preference = ReminderPreference.objects.filter(user=request.user).first()
    preference = preference or ReminderPreference(user=request.user)
    form = ReminderPreferenceForm(
        request.POST or None,
        instance=preference,
        channels=notifications.preferences_of(request.user),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            notifications.preferences_save(user=request.user, channels=form.channels())
        messages.success(request, "Your notification and reminder settings are saved.")
        return redirect("reviews:preferences")
    return render(request, "reviews/preferences.html", {"form": form})


# Peer challenge ----------------------------------------------------------------------


def _answers_by_step(reviewer: PeerReviewer) -> list:
    """Each step's title and its questions with this reviewer's answers (blank if none)."""
    given = {answer.question: answer.text for answer in reviewer.answers.all()}
    return [
        (number, title, [(question, given.get(f"{number}-{slug}", "")) for slug, question in qs])
        for number, title, qs in peer.steps()
    ]


@login_required
@require_GET
def peer_challenge(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's peer reviewers and their submitted answers, for the partnership's members."""
    plan = access.get_plan_for_user(request, pk, peer_ok=False)
    reviewers = list(plan.peer_reviewers.select_related("invited_by").prefetch_related("answers"))
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "manages": request.membership.manages,
        "reviewers": [
            (reviewer, _answers_by_step(reviewer) if reviewer.submitted_at else None)
            for reviewer in reviewers
        ],
        "form": PeerInviteForm(),
        "max_days": PeerReviewer.MAX_DAYS,
    }
    return render(request, "reviews/peer_challenge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def peer_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead invites a peer reviewer from outside the partnership to read this plan."""
    plan = access.get_plan_for_user(request, pk, manage=True)
    form = PeerInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviewer = services.peer_reviewer_invite(
                plan=plan, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            reviewer.refresh_from_db(fields=["send_failed_at"])  # sent already, without a worker
            if reviewer.send_failed_at:
                messages.error(request, unsent_message(reviewer.email))
            else:
                messages.success(
                    request,
                    f"{reviewer.name} has been emailed a link to review this plan until "
                    f"{timezone.localtime(reviewer.expires_at):%-d %B %Y}.",
                )
            return redirect("reviews:peer_challenge", plan.pk)
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title="Invite a peer reviewer",
        intro="Someone from outside the partnership – from another partnership, say – who will "
        "read this plan, and nothing else of the partnership's, until their access ends, and "
        "answer a few questions about each of its five steps. They can change nothing.",
        submit="Send the invitation",
        cancel_url=reverse("reviews:peer_challenge", args=[plan.pk]),
    )


@login_required
@require_POST
def peer_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead ends a peer reviewer's access at once; their answers stay with the plan."""
    reviewer = access.get_peer_reviewer_for_user(request, pk, manage=True)
    services.peer_reviewer_revoke(reviewer=reviewer)
    messages.success(request, f"{reviewer.name} can no longer read this plan.")
    return redirect("reviews:peer_challenge", reviewer.plan_id)


@never_cache
@require_http_methods(["GET", "POST"])
def peer_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: it works once, until it expires, for the address it was sent to."""
    reviewer = services.peer_reviewer_from_token(token)
    if reviewer is None or not reviewer.link_works:
        if reviewer is not None and reviewer.is_live and reviewer.user_id == request.user.pk:
            return redirect("reviews:peer_answers", reviewer.pk)  # back again, still reviewing
        return render(request, "reviews/peer_link_invalid.html", {"reviewer": reviewer}, status=410)

    return link_accept_page(
        request,
        email=reviewer.email,
        template="reviews/peer_accept.html",
        context={"reviewer": reviewer},
        accept=lambda user: services.peer_reviewer_accept(reviewer=reviewer, user=user),
        accept_as_new_user=lambda full_name, password: services.peer_reviewer_accept_as_new_user(
            reviewer=reviewer, full_name=full_name, password=password
        ),
        welcome=lambda accepted: _welcome_reviewer(request, accepted),
    )


def _welcome_reviewer(request: HttpRequest, reviewer: PeerReviewer) -> HttpResponse:
    messages.success(
        request,
        f"You may read {reviewer.plan} until "
        f"{timezone.localtime(reviewer.expires_at):%-d %B %Y}. Your questions are below.",
    )
    return redirect("reviews:peer_answers", reviewer.pk)


@login_required
@require_http_methods(["GET", "POST"])
def peer_answers(request: HttpRequest, pk: int) -> HttpResponse:
    """The peer reviewer's own questions: saved as a draft as often as they like, then
    submitted to the partnership, after which they are final."""
    reviewer = access.get_own_peer_review(request, pk)
    given = {a.question: a.text for a in PeerAnswer.objects.filter(reviewer=reviewer)}
    initial = {PeerAnswersForm.field_name(*key.split("-", 1)): text for key, text in given.items()}
    form = PeerAnswersForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.peer_answers_save(reviewer=reviewer, answers=form.answers(), submit=submit)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Your answers are submitted to the partnership. Thank you."
                if submit
                else "Your draft is saved. Only you can see it until you submit it.",
            )
            return redirect("reviews:peer_answers", reviewer.pk)
    context = {
        "reviewer": reviewer,
        "plan": reviewer.plan,
        "form": form,
        "answers": _answers_by_step(reviewer) if reviewer.submitted_at else None,
    }
    return render(request, "reviews/peer_answers.html", context)
