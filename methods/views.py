"""Pages of the methods: the Five Steps walk, policy proofing, what is still to do, and the
other methods' lenses (Turn the Curve, LEAP, Future-basing, the care-service action plan),
all reading the same outcomes, indicators, options and actions."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from actions import dependencies
from actions.access import get_finding_for_user
from actions.forms import AchievementActionsForm
from actions.models import Action, Finding, Milestone, Option, Update
from improveplan import history, items
from improveplan.access import get_plan_for_user
from improveplan.models import Plan, Role
from improveplan.views import form_page, next_or
from methods import facts, forms, lenses, walk
from outcomes.access import get_achievement_for_user, get_indicator_for_user, get_outcome_for_user
from outcomes.models import Achievement, Evidence, Indicator, Proofing
from outcomes.status import draw_charts, indicator_reports

for _name, _kind in {
    "achievement": items.Kind(
        noun="achievement",
        form=forms.AchievementForm,
        get_parent=get_outcome_for_user,
        get_object=get_achievement_for_user,
        parent_of=lambda achievement: achievement.outcome,
        back_to=lambda outcome: reverse("methods:future_basing", args=[outcome.plan_id]),
    ),
    "finding": items.Kind(
        noun="finding",
        form=forms.FindingForm,
        get_parent=get_plan_for_user,
        get_object=get_finding_for_user,
        parent_of=lambda finding: finding.plan,
        back_to=lambda plan: reverse("methods:care_service", args=[plan.pk]),
    ),
}.items():
    items.register(_name, _kind)


def _context(request: HttpRequest, plan: Plan, **extra) -> dict:
    return {
        "plan": plan,
        "partnership": plan.partnership,
        "manages": request.membership.manages,
        **extra,
    }


# Links from "still missing" to the page that puts it right --------------------------------


# The view each page named by a ``walk.Missing`` stands for; the item's ``pk`` is the view's
# argument (the plan's, for pages that add to the plan: outcome_create, plan_edit, finding_create).
FIX_PAGES = {
    "indicator_create": "outcomes:indicator_create",
    "reading_create": "outcomes:reading_create",
    "comparator_create": "outcomes:comparator_create",
    "comparator_reading_create": "outcomes:comparator_reading_create",
    "evidence_create": "outcomes:evidence_create",
    "target_create": "outcomes:target_create",
    "outcome_create": "outcomes:outcome_create",
    "outcome_edit": "outcomes:outcome_edit",
    "risk_create": "outcomes:risk_create",
    "option_create": "actions:option_create",
    "option_scores": "actions:option_scores",
    "option_decision": "actions:option_decision",
    "action": "actions:action",
    "action_edit": "actions:action_edit",
    "milestone_create": "actions:milestone_create",
    "proofing": "methods:proofing_edit",
    "plan_edit": "improveplan:plan_edit",
    "achievement_create": "methods:achievement_create",
    "achievement_edit": "methods:achievement_edit",
    "achievement_actions": "methods:achievement_actions",
    "finding_create": "methods:finding_create",
    "finding_edit": "methods:finding_edit",
}


def fix_url(item: walk.Missing, plan: Plan, back: str) -> str:
    """The page that puts a missing thing right, coming back to ``back`` afterwards."""
    page, _, detail = item.page.partition(":")
    query = "?" + urlencode({"next": back})
    if page == "criteria":
        return reverse("actions:criteria", args=[plan.pk])
    if page == "action_create":
        return reverse("actions:action_create", args=[plan.pk]) + f"{query}&outcome={item.pk}"
    if page == "evidence_create":
        query += f"&kind={detail}"
    if page == "action" and detail == "update":  # posted on the action's own page
        return reverse("actions:action", args=[item.pk]) + query + "#update-heading"
    return reverse(FIX_PAGES[page], args=[item.pk]) + query


FIX_LABELS = {
    "indicator_create": "Add an indicator",
    "reading_create": "Add a reading",
    "comparator_create": "Add a comparator",
    "comparator_reading_create": "Add a comparator value",
    "evidence_create": "Add evidence",
    "evidence_create:cause": "Tell the story",
    "target_create": "Add a target",
    "outcome_create": "Add an outcome",
    "outcome_edit": "Write the assumptions",
    "outcome_edit:why": "Say why it matters",
    "risk_create": "Add a risk",
    "criteria": "Choose the criteria",
    "option_create": "Add an option",
    "option_scores": "Score it",
    "option_decision": "Decide",
    "action": "Open the action",
    "action:update": "Post an update",
    "action_create": "Add an action",
    "action_edit": "Edit the action",
    "milestone_create": "Add a milestone",
    "proofing": "Answer the proofing questions",
    "plan_edit": "Edit the plan",
    "plan_edit:vision": "Write the vision",
    "plan_edit:vision_date": "Fix the vision date",
    "achievement_create": "Add an achievement",
    "achievement_edit": "Rewrite it",
    "achievement_actions": "Link a key action",
    "finding_create": "Add a finding",
    "finding_edit": "Choose the actions that answer it",
}


def _label(page: str) -> str:
    return FIX_LABELS.get(page) or FIX_LABELS[page.partition(":")[0]]


def _may_fix(item: walk.Missing, membership) -> bool:
    """Leads put anything right; partners what their organisation may (readings of the data
    it owns, updates to the actions it leads or supports)."""
    return membership.manages or (
        membership.role == Role.PARTNER and membership.organisation_id in item.writers
    )


def _missing_rows(missing, plan: Plan, back: str, membership) -> list[dict]:
    """Rows of (step or None, Missing) for ``methods/_missing.html``, each with its link for
    those who may follow it."""
    return [
        {
            "step": step,
            "text": item.text,
            "url": fix_url(item, plan, back) if _may_fix(item, membership) else "",
            "label": _label(item.page),
            "topic": item.topic,
        }
        for step, item in missing
    ]


def _lacking(lacks: list[walk.Missing], plan: Plan, request: HttpRequest) -> list[dict]:
    """A lens page's lacks as rows whose links come back to the page."""
    return _missing_rows([(None, item) for item in lacks], plan, request.path, request.membership)


# The Five Steps walk -------------------------------------------------------------------------


def _next_thing(
    progress: walk.OutcomeProgress, step: int, plan: Plan, back: str, membership
) -> dict | None:
    """The first thing missing in this step, or else the first anywhere in the outcome's walk
    (its policy proofing last), with its link for those who may follow it."""
    missing = progress.missing
    here = [(number, item) for number, item in missing if number == step]
    first = (here or missing)[:1]
    rows = _missing_rows(first, plan, back, membership)
    return rows[0] if rows else None


@login_required
@require_GET
def walk_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    """One step of the walk for one outcome: its questions, the data that answers them, what
    is answered and what is still missing, and the way on."""
    if not 1 <= step <= len(walk.STEPS):
        raise Http404("No such step.")
    outcome = get_outcome_for_user(request, pk)
    plan = outcome.plan
    actions = list(facts.plan_actions(plan).filter(outcomes=outcome))
    [outcome_facts] = facts.outcome_facts(plan, [outcome], actions)
    progress = walk.progress(outcome_facts)
    current = progress.steps[step - 1]
    here = request.path
    membership = request.membership
    context = _context(
        request,
        plan,
        outcome=outcome,
        progress=progress,
        step=current,
        missing=_missing_rows([(step, item) for item in current.missing], plan, here, membership),
        proofing_missing=_missing_rows(
            [(None, item) for item in progress.proofing], plan, here, membership
        ),
        here=here,
        next_step=step + 1 if step < len(walk.STEPS) else None,
        next_thing=_next_thing(progress, step, plan, here, membership),
        may_import=membership.manages or membership.role == Role.PARTNER,
        step5=reverse("methods:walk_step", args=[outcome.pk, 5]),
    )
    if step in (1, 3):
        reports = indicator_reports(outcome.indicators.all())
        context["reports"] = draw_charts(reports, small=False) if step == 1 else reports
    if step == 2:
        evidence = list(outcome.evidence.select_related("lead_organisation"))
        context["evidence_sections"] = [
            (kind, label, [item for item in evidence if item.kind == kind])
            for kind, label in Evidence.Kind.choices
        ]
    if step == 3:
        context["risks"] = outcome.risks.all()
    if step == 4:
        context["criteria"] = plan.criteria.all()
        context["options"] = outcome.options.annotate(score_count=Count("scores"))
        context["criteria_count"] = len(context["criteria"])
    if step == 5:
        context["actions"] = [(action, facts.smart_gaps(action)) for action in actions]
        context["favoured"] = outcome.options.filter(decision=Option.Decision.FAVOURED)
    return render(request, "methods/walk_step.html", context)


@login_required
@require_GET
def proofing(request: HttpRequest, pk: int) -> HttpResponse:
    """Policy proofing for one outcome: equality and diversity, rural areas, the environment."""
    outcome = get_outcome_for_user(request, pk)
    answers = {answer.topic: answer for answer in outcome.proofing.all()}
    return render(
        request,
        "methods/proofing.html",
        _context(
            request,
            outcome.plan,
            outcome=outcome,
            answers=[(topic, answers.get(topic.value)) for topic in Proofing.Topic],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proofing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = get_outcome_for_user(request, pk, manage=True)
    plan = outcome.plan
    form = forms.ProofingForm(request.POST or None, outcome=outcome)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The policy proofing has been saved.")
        return redirect(next_or(request, reverse("methods:proofing", args=[outcome.pk])))
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Policy proofing: {outcome}",
        intro="Check the outcome for who it may leave out or harm, in towns and villages "
        "alike, and for what it does to the environment. “No” is an answer too: it says "
        "someone looked.",
        submit="Save the policy proofing",
        cancel_url=next_or(request, reverse("methods:proofing", args=[outcome.pk])),
    )


@login_required
@require_GET
def still_to_do(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything still missing across the plan, outcome by outcome, with where to put it right."""
    plan = get_plan_for_user(request, pk)
    outcomes = []
    for outcome, progress in facts.plan_progress(plan):
        # Each thing put right comes back to its own step of the walk (proofing to the first).
        rows = [
            row
            for step, item in progress.missing
            for row in _missing_rows(
                [(step, item)],
                plan,
                reverse("methods:walk_step", args=[outcome.pk, step or 1]),
                request.membership,
            )
        ]
        outcomes.append((outcome, progress, rows))
    return render(
        request,
        "methods/still_to_do.html",
        _context(
            request,
            plan,
            outcomes=outcomes,
            total=sum(len(rows) for _, _, rows in outcomes),
        ),
    )


# Results-Based Accountability ----------------------------------------------------------------

PERFORMANCE_KINDS = [
    Indicator.Kind.HOW_MUCH,
    Indicator.Kind.HOW_WELL,
    Indicator.Kind.BETTER_OFF,
]


@login_required
@require_GET
def rba_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's population indicators, each with its Turn the Curve page, and its
    performance measures grouped as Results-Based Accountability groups them."""
    plan = get_plan_for_user(request, pk)
    indicators = list(plan.indicators.select_related("outcome", "owner"))
    population = [i for i in indicators if i.kind == Indicator.Kind.POPULATION]
    outcomes = list(plan.outcomes.all())
    measured = {indicator.outcome_id for indicator in population}
    curves = facts.curve_facts(
        plan, plan.indicators.filter(kind=Indicator.Kind.POPULATION), facts.plan_actions(plan)
    )
    lacks = lenses.rba_lacks(
        plan.pk,
        tuple(lenses.Thing(o.pk, o.statement) for o in outcomes if o.pk not in measured),
        curves,
        len(outcomes),
    )
    return render(
        request,
        "methods/rba_overview.html",
        _context(
            request,
            plan,
            population=population,
            measures=[
                (kind, [i for i in indicators if i.kind == kind]) for kind in PERFORMANCE_KINDS
            ],
            lacking=_lacking(lacks, plan, request),
        ),
    )


@login_required
@require_GET
def turn_the_curve(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn the Curve for one indicator: the curve and its forecast, the story behind it,
    partners with a role, what works, the action plan and the performance measures."""
    indicator = get_indicator_for_user(request, pk)
    plan = indicator.plan
    outcome = indicator.outcome
    [report] = draw_charts(
        indicator_reports(Indicator.objects.filter(pk=indicator.pk)), small=False
    )
    evidence = list(outcome.evidence.select_related("lead_organisation"))
    story_kinds = (Evidence.Kind.CAUSE, Evidence.Kind.BARRIER, Evidence.Kind.OPPORTUNITY)
    story = [item for item in evidence if item.kind in story_kinds]
    actions = list(facts.plan_actions(plan).filter(outcomes=outcome).order_by("number").distinct())
    # Partners with a role: who owns the data, who runs today's services, who leads and
    # supports the actions.
    roles: dict[str, list[str]] = defaultdict(list)
    roles[str(indicator.owner)].append("owns this indicator's data")
    for item in evidence:
        if item.kind == Evidence.Kind.INTERVENTION and item.lead_organisation:
            roles[str(item.lead_organisation)].append(f"runs “{item.summary}”")
    for action in actions:
        roles[str(action.lead_organisation)].append(f"leads {action.reference}")
        for organisation in action.supporting_organisations.all():
            roles[str(organisation)].append(f"supports {action.reference}")
    options = [
        (option, lenses.cost_band(option.cost))
        for option in outcome.options.exclude(decision=Option.Decision.NOT_FAVOURED)
    ]
    works = [item for item in evidence if item.kind == Evidence.Kind.INTERVENTION and item.effect]
    measures = [
        (kind, [i for i in outcome.indicators.all() if i.kind == kind])
        for kind in PERFORMANCE_KINDS
    ]
    [curve] = facts.curve_facts(plan, Indicator.objects.filter(pk=indicator.pk), actions)
    return render(
        request,
        "methods/turn_the_curve.html",
        _context(
            request,
            plan,
            indicator=indicator,
            outcome=outcome,
            report=report,
            story=story,
            partners=sorted(roles.items()),
            options=options,
            works=works,
            actions=actions,
            measures=measures,
            lacking=_lacking(lenses.curve_lacks(curve), plan, request),
            low_cost_limit=lenses.LOW_COST_LIMIT,
        ),
    )


# LEAP ------------------------------------------------------------------------------------------


@login_required
@require_GET
def leap(request: HttpRequest, pk: int) -> HttpResponse:
    """The LEAP cycle: where the plan stands, and what each stage still lacks."""
    plan = get_plan_for_user(request, pk)
    today = timezone.localdate()
    outcomes = list(plan.outcomes.annotate(indicator_count=Count("indicators")))
    indicators = list(
        plan.indicators.annotate(
            target_count=Count("targets", distinct=True),
            reading_count=Count("readings", distinct=True),
            latest=Max("readings__period"),
        )
    )
    actions = list(facts.plan_actions(plan).annotate(update_count=Count("updates", distinct=True)))
    served = {outcome.pk for action in actions for outcome in action.outcomes.all()}
    open_actions = [action for action in actions if action.is_open]
    closed = [action for action in actions if not action.is_open]
    Thing = lenses.Thing
    stages = lenses.leap_stages(
        lenses.LeapFacts(
            plan=plan.pk,
            vision=bool(plan.vision.strip()),
            outcomes=len(outcomes),
            outcomes_without_why=tuple(
                Thing(o.pk, str(o))
                for o in outcomes
                if not (o.why_it_matters.strip() and o.target_groups)
            ),
            outcomes_without_indicator=tuple(
                Thing(o.pk, str(o)) for o in outcomes if not o.indicator_count
            ),
            indicators_without_baseline=tuple(
                Thing(i.pk, str(i)) for i in indicators if not (i.target_count or i.reading_count)
            ),
            outcomes_without_action=tuple(
                Thing(o.pk, str(o)) for o in outcomes if o.pk not in served
            ),
            actions=tuple(facts.action_facts(a) for a in actions),
            actions_without_monitoring=tuple(
                Thing(a.pk, a.reference) for a in open_actions if not a.monitoring.strip()
            ),
            indicators_without_recent_reading=tuple(
                Thing(i.pk, str(i), frozenset([i.owner_id]))
                for i in indicators
                if not i.latest or i.latest < today - timedelta(days=400)
            ),
            open_actions_without_update=tuple(
                Thing(a.pk, a.reference, facts.action_writers(a))
                for a in open_actions
                if not a.update_count and a.start and a.start <= today
            ),
            closed_actions=sum(1 for a in closed if a.is_closed),
            closed_without_lessons=tuple(
                Thing(a.pk, a.reference)
                for a in closed
                if a.is_closed and not a.lessons_learned.strip()
            ),
        )
    )
    return render(
        request,
        "methods/leap.html",
        _context(
            request,
            plan,
            stages=[(stage, _lacking(list(stage.lacks), plan, request)) for stage in stages],
            position=lenses.leap_position(stages),
            lacking=any(stage.lacks for stage in stages),
            outcomes=outcomes,
            indicators=indicators,
            actions=actions,
            closed=closed,
        ),
    )


# Future-basing ---------------------------------------------------------------------------------


@login_required
@require_GET
def future_basing(request: HttpRequest, pk: int) -> HttpResponse:
    """The vision date, success areas (the outcomes) with their achievements, milestones
    worked backwards from the vision date, and the critical path through dependent actions."""
    plan = get_plan_for_user(request, pk)
    vision_date = plan.vision_date or plan.period_end
    linked = _linked_actions(plan)
    areas = [
        (
            outcome,
            [
                (
                    achievement,
                    lenses.written_as_achieved(achievement.statement),
                    linked.get(achievement.pk, []),
                )
                for achievement in outcome.achievements.all()
            ],
        )
        for outcome in plan.outcomes.prefetch_related(
            Prefetch("achievements", queryset=Achievement.objects.order_by("order", "pk"))
        )
    ]
    milestones = [
        (milestone, lenses.months_before(milestone.due, vision_date))
        for milestone in Milestone.objects.filter(action__plan=plan)
        .select_related("action")
        .order_by("-due", "pk")
    ]
    actions = list(facts.plan_actions(plan))
    tasks = [
        dependencies.Task(
            key=action.reference,
            label=action.title,
            start=action.start,
            due=action.due,
            depends_on=tuple(other.reference for other in action.depends_on.all()),
            done=action.status == Action.Status.COMPLETE,
        )
        for action in actions
        if action.start and action.due
    ]
    try:
        path = dependencies.critical_path(tasks)
    except dependencies.CycleError:
        path = None
    by_reference = {action.reference: action for action in actions}
    served = defaultdict(int)
    for action in actions:
        for outcome in action.outcomes.all():
            served[outcome.pk] += 1
    # The achievements a live key action leads to (issue 24: each needs at least one).
    keyed = set(
        Action.objects.filter(plan=plan, achievements__isnull=False)
        .live()
        .key()
        .values_list("achievements", flat=True)
    )
    lacks = lenses.future_lacks(
        lenses.FutureFacts(
            plan=plan.pk,
            vision=bool(plan.vision.strip()),
            vision_date=plan.vision_date,
            areas=tuple(
                lenses.SuccessArea(
                    lenses.Thing(outcome.pk, outcome.statement),
                    tuple(lenses.Thing(a.pk, a.statement) for a, *_ in achievements),
                    served[outcome.pk],
                    without_key_action=tuple(
                        lenses.Thing(a.pk, a.statement)
                        for a, *_ in achievements
                        if a.pk not in keyed
                    ),
                )
                for outcome, achievements in areas
            ),
            actions=tuple((facts.action_facts(action), action.due) for action in actions),
        )
    )
    return render(
        request,
        "methods/future_basing.html",
        _context(
            request,
            plan,
            vision_date=vision_date,
            vision_date_set=plan.vision_date is not None,
            areas=areas,
            milestones=milestones,
            critical=[by_reference[key] for key in path.keys] if path else [],
            finish=path.finish if path else None,
            undated=[action for action in actions if not (action.start and action.due)],
            lacking=_lacking(lacks, plan, request),
            keyed=keyed,
        ),
    )


def _linked_actions(plan: Plan) -> dict[int, list[Action]]:
    """Each achievement's actions, in one query."""
    linked = defaultdict(list)
    links = Action.achievements.through.objects.filter(action__plan=plan).select_related("action")
    for link in links.order_by("action__number"):
        linked[link.achievement_id].append(link.action)
    return linked


@login_required
@require_http_methods(["GET", "POST"])
def achievement_actions(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead links the actions that lead to one achievement (issue 24)."""
    achievement = get_achievement_for_user(request, pk, manage=True)
    plan = achievement.outcome.plan
    form = AchievementActionsForm(request.POST or None, achievement=achievement)
    back = reverse("methods:future_basing", args=[plan.pk])
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["actions"])
        key = set(form.cleaned_data["key"])
        linked = set(achievement.actions.all())
        with transaction.atomic():
            for action in chosen | linked:
                is_key = action in key if action in chosen else action.is_key
                if (action in chosen) == (action in linked) and is_key == action.is_key:
                    continue
                with history.one_entry(action):
                    if is_key != action.is_key:
                        action.is_key = is_key
                        action.version += 1
                        action.save(update_fields=["is_key", "version"])
                    if action in chosen and action not in linked:
                        action.achievements.add(achievement)
                    elif action in linked and action not in chosen:
                        action.achievements.remove(achievement)
        messages.success(request, f"The actions that lead to “{achievement}” have been saved.")
        return redirect(next_or(request, back))
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Actions that lead to “{achievement}”",
        intro="Each achievement needs at least one key action: the one it most depends on.",
        submit="Save the actions",
        cancel_url=next_or(request, back),
    )


# The care-service action plan ------------------------------------------------------------------


@login_required
@require_GET
def care_service(request: HttpRequest, pk: int) -> HttpResponse:
    """Inspection findings by key question, each with the actions that answer it; quick wins
    apart from longer-term actions; closed actions, with their lessons learned, apart."""
    plan = get_plan_for_user(request, pk)
    actions = list(
        facts.plan_actions(plan).prefetch_related(
            Prefetch("updates", queryset=Update.objects.order_by("-created_at"))
        )
    )
    findings = list(
        plan.findings.prefetch_related(
            Prefetch("actions", queryset=Action.objects.order_by("number"))
        )
    )
    by_question = [
        (label, [finding for finding in findings if finding.key_question == key])
        for key, label in Finding.KeyQuestion.choices
    ]
    open_actions = [action for action in actions if action.is_open]
    closed = [action for action in actions if not action.is_open]
    unanswered = [finding for finding in findings if not finding.actions.all()]
    outcomes = list(plan.outcomes.all())
    served = {outcome.pk for action in actions for outcome in action.outcomes.all()}
    lacks = lenses.care_lacks(
        lenses.CareFacts(
            plan=plan.pk,
            outcomes=tuple(lenses.Thing(o.pk, o.statement) for o in outcomes),
            outcomes_without_action=tuple(
                lenses.Thing(o.pk, o.statement) for o in outcomes if o.pk not in served
            ),
            findings=len(findings),
            unanswered_findings=tuple(lenses.Thing(f.pk, f.summary) for f in unanswered),
            actions=tuple(facts.action_facts(action) for action in actions),
            closed_without_lessons=tuple(
                lenses.Thing(a.pk, a.reference)
                for a in closed
                if a.is_closed and not a.lessons_learned.strip()
            ),
        )
    )
    return render(
        request,
        "methods/care_service.html",
        _context(
            request,
            plan,
            by_question=by_question,
            quick_wins=[a for a in open_actions if a.term == Action.Term.QUICK_WIN],
            longer=[a for a in open_actions if a.term != Action.Term.QUICK_WIN],
            closed=closed,
            lacking=_lacking(lacks, plan, request),
            today=timezone.localdate(),
        ),
    )
