"""What each person is reminded of on a day: the digest, built for everyone at once.

``build_digests`` reads everything it needs in a fixed number of queries – the same for
five people as for five thousand – and then sorts the rows out in memory:

- **overdue** actions and actions **due soon** (within ``REMINDER_DUE_WITHIN_DAYS``) go to
  the action's owner, or, when it has no owner who is still a member, to the leads and
  partners of its lead organisation;
- actions **waiting for this quarter's update** (started, open, nothing posted since the
  quarter began) go to the same people;
- **readings due**: an indicator whose latest whole-area reading is older than its last
  finished period (month, quarter or year) goes to the leads and partners of the
  organisation that owns it;
- **readings behind their trajectory**: an indicator whose latest whole-area reading is
  behind its main target's planned trajectory by more than the reading's margin of error, or
  at all when the reading gives none (a count taken in full), goes to the same people as
  its readings due while that reading is the latest; turning readings due off turns these
  off too (issue 26);
- **key actions** (marked key for closer tracking, in progress) go to the same people as
  an action's other items once a week, on Mondays, whatever else is due;
- **reviews coming up** (within ``REMINDER_REVIEW_WITHIN_DAYS``, not signed off) go to every
  member of the partnership;
- **risk reviews overdue**: a risk in a plan's register whose review date has passed goes to
  its owner, while they are a member (issue 24);
- **notifications** (improveplan/notifications.py) the person chose to have in the digest,
  made the day before (the week before, for a weekly digest) and still unread.

Archived plans remind nobody. Overdue actions and risk reviews are always included; a person
may turn the other kinds off, and may take the digest weekly (Mondays) instead of daily.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from actions.email_links import update_links
from actions.models import Action, Update
from improveplan.models import Membership, Notification, Plan, Role
from outcomes import status as indicator_status
from outcomes import trajectories
from outcomes.models import Indicator, Reading, Risk, Target, series_readings_subquery
from reviews.models import ReminderPreference, Review
from reviews.periods import quarter_bounds, quarter_of


class Kind:
    """The kinds of item, in the order a digest shows them."""

    NOTICE = "notifications"
    OVERDUE = "overdue"
    KEY = "key_actions"
    DUE_SOON = "due_soon"
    MISSING_UPDATE = "missing_updates"
    READING_DUE = "readings_due"
    OFF_TRAJECTORY = "off_trajectory"
    REVIEW = "reviews"
    RISK_REVIEW = "risk_reviews"
    AWAITING = "awaiting_confirmation"  # its own email, one per completion: never in a digest


HEADINGS = {
    Kind.NOTICE: "Notifications",
    Kind.OVERDUE: "Overdue actions",
    Kind.KEY: "Key actions: this week's check",
    Kind.DUE_SOON: "Actions due soon",
    Kind.MISSING_UPDATE: "Actions waiting for this quarter's update",
    Kind.READING_DUE: "Readings due",
    Kind.OFF_TRAJECTORY: "Readings behind their planned trajectory",
    Kind.REVIEW: "Reviews coming up",
    Kind.RISK_REVIEW: "Risk reviews overdue",
}
COMPLETION_KEY = "completion-"  # + the id of the update that marked the action complete
NOTICE_KEY = "notice-"  # + the id of a notification emailed at once
# The kinds a person may turn off (each is a field of ReminderPreference).
OPTIONAL = [Kind.DUE_SOON, Kind.MISSING_UPDATE, Kind.READING_DUE, Kind.REVIEW]
# The preference that turns a kind off, when it is not a field of its own.
PREFERENCE_OF = {Kind.OFF_TRAJECTORY: Kind.READING_DUE}
DOERS = (Role.LEAD, Role.PARTNER)  # who answers for an organisation's actions and readings


@dataclass(frozen=True)
class Item:
    kind: str
    text: str
    detail: str
    url: str
    plan: str
    action_id: int | None = None  # an action's item: its email offers a link to update it
    update_url: str = ""  # that link, made for the digest's person when the email is written


# An item's values in order, as a claim keeps them. Each is a plain value: dataclasses.astuple
# copied every one deeply, most of the time it took to claim the day's digests.
ITEM_FIELDS = [f.name for f in fields(Item)]


@dataclass
class Digest:
    user_id: int
    email: str
    name: str
    items: list[Item] = field(default_factory=list)

    def sections(self) -> list[tuple[str, str, list[Item]]]:
        """(kind, heading, items) for each kind that has any, in the fixed order."""
        grouped: dict[str, list[Item]] = defaultdict(list)
        for item in self.items:
            grouped[item.kind].append(item)
        return [(kind, HEADINGS[kind], grouped[kind]) for kind in HEADINGS if grouped[kind]]

    def sections_with_links(self) -> list[tuple[str, str, list[Item]]]:
        """The sections, each action's item with its link to post an update from the email:
        signed for this action and this person only, and dated now (actions/email_links.py)."""
        sections = self.sections()
        links = update_links(
            {item.action_id for _, _, items in sections for item in items if item.action_id},
            self.user_id,
        )
        return [
            (
                kind,
                heading,
                [
                    replace(item, update_url=links[item.action_id]) if item.action_id else item
                    for item in items
                ],
            )
            for kind, heading, items in sections
        ]

    def counts(self) -> dict[str, int]:
        return {kind: len(items) for kind, _, items in self.sections()}

    def content(self) -> dict:
        """What the email says, as kept in its claim row (JSON)."""
        items = [[getattr(item, name) for name in ITEM_FIELDS] for item in self.items]
        return {"email": self.email, "name": self.name, "items": items}

    @classmethod
    def from_content(cls, user_id: int, content: dict) -> Digest:
        items = [Item(*values) for values in content["items"]]
        return cls(user_id, content["email"], content["name"], items)


ADDRESS = re.compile(r"[^\s'\"<>{}(),:]+@[^\s'\"<>{}(),:]+")


def _latest_of_series() -> Subquery:
    """The last day of an indicator's latest whole-area reading, across its series: next
    year's plan shares the readings of the plan it was copied forward from (issue 24)."""
    return Subquery(
        series_readings_subquery().filter(breakdown="").order_by("-period").values("period")[:1]
    )


def failure_reason(text: str) -> str:
    """Why an email failed, the same for every person it struck (addresses taken out)."""
    text = ADDRESS.sub("<address>", text.strip()) or "no error recorded"
    return text if len(text) <= 160 else text[:159] + "…"


def _behind_trajectory(live_plans) -> list[tuple[Indicator, str]]:
    """Each indicator of ``live_plans`` whose latest whole-area reading is behind its main
    target's trajectory beyond the reading's margin of error (a reading without one is taken
    as it stands: any gap behind counts), with what the reminder says of
    it: "latest 48.0% (Mar 2026): 6.0 percentage points below trajectory, beyond its margin of
    error". One query when no target has a trajectory, three when any has."""
    latest = (
        Reading.objects.filter(indicator=OuterRef("pk"), breakdown="", value__isnull=False)
        .order_by("-period", "-pk")
        .values("pk")[:1]
    )
    with_trajectory = Target.objects.filter(indicator=OuterRef("pk")).exclude(trajectory_shape="")
    indicators = list(
        Indicator.objects.filter(plan__in=live_plans)
        .filter(Exists(with_trajectory))
        .annotate(latest_id=Subquery(latest))
        .select_related("plan")
        .prefetch_related("targets")
        .order_by("plan_id", "code")
    )
    readings = Reading.objects.in_bulk([i.latest_id for i in indicators if i.latest_id])
    found = []
    for indicator in indicators:
        reading = readings.get(indicator.latest_id)
        target = indicator_status.main_target(indicator.targets.all())
        if reading is None or target is None:
            continue
        trajectory = target.trajectory(indicator_status.MONTHS_PER_READING[indicator.frequency])
        planned = trajectory.value_for(reading.period) if trajectory else None
        if planned is None:
            continue
        point = reading.point
        check = trajectories.check(
            point, planned, indicator.arithmetic_direction, indicator.measure
        )
        if check is None or check.ahead or check.within_margin:
            continue
        shown = indicator.measure.value(point.value)
        found.append((indicator, f"latest {shown} ({reading.period:%b %Y}): {check.words}"))
    return found


def last_finished_period(frequency: str, day: date) -> date:
    """The last day of the latest month, quarter or year that has ended before ``day``."""
    if frequency == Indicator.Frequency.MONTHLY:
        return day.replace(day=1) - timedelta(days=1)
    if frequency == Indicator.Frequency.ANNUAL:
        return date(day.year - 1, 12, 31)
    first, _ = quarter_bounds(*quarter_of(day))
    return first - timedelta(days=1)


def _link(name: str) -> str:
    """A URL pattern's absolute address with ``{}`` for the id (reverse() once, not per row)."""
    return settings.SITE_URL + reverse(name, args=[987654321]).replace("987654321", "{}")


def _wants(preference: ReminderPreference | None, kind: str) -> bool:
    # Notifications come here only when their person chose the digest for their kind.
    if preference is None or kind in (Kind.OVERDUE, Kind.KEY, Kind.NOTICE, Kind.RISK_REVIEW):
        return True
    return getattr(preference, PREFERENCE_OF.get(kind, kind))


def notice_item(
    *, text: str, url: str, created_at, plan: str | None, partnership: str, actor: str | None
) -> Item:
    """A notification as an email shows it: in the digest, or in an email of its own."""
    when = timezone.localtime(created_at)
    by = f" by {actor}" if actor else ""
    return Item(
        Kind.NOTICE,
        text,
        f"{when:%-d %B %Y, %H:%M}{by}",
        settings.SITE_URL + url,
        plan or partnership,
    )


NOTICE_FIELDS = (
    "text",
    "url",
    "created_at",
    "plan__title",
    "partnership__name",
    "actor__full_name",
)


def notice_from_row(row: tuple) -> Item:
    text, url, created_at, plan, partnership, actor = row
    return notice_item(
        text=text, url=url, created_at=created_at, plan=plan, partnership=partnership, actor=actor
    )


def _start_of_day(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


def build_digests(
    day: date,
    *,
    user_ids: list[int] | None = None,
    plan_id: int | None = None,
    kinds: set[str] | None = None,
    respect_preferences: bool = True,
) -> dict[int, Digest]:
    """Every person's digest for ``day`` that has anything in it, by user id.

    ``user_ids`` and ``plan_id`` narrow it (one person's digest when it is sent; one plan for
    a lead's one-off reminder); ``kinds`` keeps only those kinds; ``respect_preferences``
    off ignores people's choices (a one-off reminder a lead sends).
    """
    due_by = day + timedelta(days=settings.REMINDER_DUE_WITHIN_DAYS)
    review_by = day + timedelta(days=settings.REMINDER_REVIEW_WITHIN_DAYS)
    quarter_start, _ = quarter_bounds(*quarter_of(day))
    live_plans = Plan.objects.exclude(status=Plan.Status.ARCHIVED)
    if plan_id is not None:
        live_plans = live_plans.filter(pk=plan_id)

    members = Membership.objects.filter(user__is_active=True)
    preferences = ReminderPreference.objects.all()
    if user_ids is not None:
        members = members.filter(user_id__in=user_ids)
        preferences = preferences.filter(user_id__in=user_ids)
    people: dict[int, tuple[str, str]] = {}
    member_of: set[tuple[int, int]] = set()
    doers_of: dict[int, list[int]] = defaultdict(list)  # organisation → people
    everyone_in: dict[int, list[int]] = defaultdict(list)  # partnership → people
    for user_id, partnership_id, organisation_id, role, email, name in members.values_list(
        "user_id", "partnership_id", "organisation_id", "role", "user__email", "user__full_name"
    ):
        people[user_id] = (email, name)
        member_of.add((user_id, partnership_id))
        everyone_in[partnership_id].append(user_id)
        if role in DOERS:
            doers_of[organisation_id].append(user_id)
    chosen = {p.user_id: p for p in preferences} if respect_preferences else {}

    items: dict[int, list[Item]] = defaultdict(list)

    def give(user_id: int, item: Item) -> None:
        if kinds is not None and item.kind not in kinds:
            return
        if _wants(chosen.get(user_id), item.kind):
            items[user_id].append(item)

    # Actions: overdue, due soon, waiting for an update; key actions every Monday.
    weekly_check = day.weekday() == 0
    action_url = _link("actions:action")
    updated = Update.objects.filter(action=OuterRef("pk"), created_at__date__gte=quarter_start)
    actions = (
        Action.objects.open()
        .filter(plan__in=live_plans)
        .exclude(status__in=[Action.Status.COMPLETE, Action.Status.CANCELLED])
        .filter(
            Q(due__lte=due_by)
            | Q(start__isnull=True)
            | Q(start__lt=quarter_start)
            | (Q(is_key=True) if weekly_check else Q(pk__in=[]))
        )
        .annotate(updated=Exists(updated))
        .order_by("due", "plan_id", "number")
        .values_list(
            "pk",
            "reference",
            "title",
            "start",
            "due",
            "owner_id",
            "lead_organisation_id",
            "plan__title",
            "plan__partnership_id",
            "updated",
            "is_key",
            "status",
            "progress",
        )
    )
    for (
        pk,
        reference,
        title,
        start,
        due,
        owner_id,
        lead_id,
        plan,
        partnership_id,
        updated,
        is_key,
        status,
        progress,
    ) in actions:
        if owner_id is not None and (owner_id, partnership_id) in member_of:
            responsible = [owner_id]
        else:
            responsible = doers_of.get(lead_id, [])
        if not responsible:
            continue
        found = []
        if due is not None and due < day:
            days = (day - due).days
            found.append((Kind.OVERDUE, f"due {due:%-d %B %Y}, {days} day{'s' * (days != 1)} ago"))
        elif due is not None and due <= due_by:
            found.append((Kind.DUE_SOON, f"due {due:%A %-d %B %Y}"))
        if not updated and (start is None or start < quarter_start):
            found.append((Kind.MISSING_UPDATE, f"no update since {quarter_start:%-d %B %Y}"))
        if is_key and weekly_check:
            when = f"due {due:%-d %B %Y}" if due else "no due date"
            stands = Action.Status(status).label.lower()
            found.append((Kind.KEY, f"{stands}, {progress}% done, {when}"))
        for kind, detail in found:
            item = Item(kind, f"{reference} {title}", detail, action_url.format(pk), plan, pk)
            for user_id in responsible:
                give(user_id, item)

    # Readings due for the indicators each organisation owns.
    indicator_url = _link("outcomes:indicator")
    indicators = (
        Indicator.objects.filter(plan__in=live_plans)
        .annotate(latest=_latest_of_series())
        .order_by("plan_id", "code")
        .values_list("pk", "code", "name", "frequency", "owner_id", "plan__title", "latest")
    )
    for pk, code, name, frequency, owner_id, plan, latest in indicators:
        expected = last_finished_period(frequency, day)
        if latest is not None and latest >= expected:
            continue
        since = f"latest is for {latest:%-d %B %Y}" if latest else "no readings yet"
        item = Item(
            Kind.READING_DUE,
            f"{code} {name}",
            f"a reading for the period ending {expected:%-d %B %Y} is due ({since})",
            indicator_url.format(pk),
            plan,
        )
        for user_id in doers_of.get(owner_id, []):
            give(user_id, item)

    # Readings behind their trajectory beyond their margin of error (issue 26).
    for indicator, words in _behind_trajectory(live_plans):
        item = Item(
            Kind.OFF_TRAJECTORY,
            f"{indicator.code} {indicator.name}",
            words,
            indicator_url.format(indicator.pk),
            indicator.plan.title,
        )
        for user_id in doers_of.get(indicator.owner_id, []):
            give(user_id, item)

    # Risk reviews overdue, for each risk's owner (issue 24).
    register_url = _link("actions:risk_register")
    risks = (
        Risk.objects.review_overdue(day)
        .filter(plan__in=live_plans, owned_by__isnull=False)
        .order_by("review_date", "pk")
        .values_list(
            "pk", "description", "review_date", "owned_by_id", "plan_id", "plan__title",
            "plan__partnership_id",
        )
    )  # fmt: skip
    for pk, description, review_date, owner_id, plan_pk, plan, partnership_id in risks:
        if (owner_id, partnership_id) not in member_of:
            continue
        days = (day - review_date).days
        item = Item(
            Kind.RISK_REVIEW,
            description,
            f"review was due {review_date:%-d %B %Y}, {days} day{'s' * (days != 1)} ago",
            register_url.format(plan_pk) + f"#risk-{pk}",
            plan,
        )
        give(owner_id, item)

    # Notifications chosen for the digest: those of the day before, or of the week before for
    # a weekly digest (so each is in one digest), still unread.
    if kinds is None or Kind.NOTICE in kinds:
        start_of = _start_of_day
        notices = Notification.objects.filter(
            channel=Notification.Channel.DIGEST,
            read_at__isnull=True,
            created_at__gte=start_of(day - timedelta(days=7)),
            created_at__lt=start_of(day),
            user_id__in=members.values("user_id"),
        ).order_by("created_at", "pk")
        yesterday = start_of(day - timedelta(days=1))
        for user_id, *row in notices.values_list("user_id", *NOTICE_FIELDS):
            preference = chosen.get(user_id)
            weekly = (
                preference is not None
                and preference.frequency == ReminderPreference.Frequency.WEEKLY
            )
            if weekly or row[2] >= yesterday:
                give(user_id, notice_from_row(row))

    # Reviews coming up: everyone in the partnership.
    reviews = (
        Review.objects.filter(
            plan__in=live_plans, signed_off_at__isnull=True, meets_on__range=(day, review_by)
        )
        .order_by("meets_on", "pk")
        .values_list(
            "pk", "meets_on", "period_start", "period_end", "plan__title", "plan__partnership_id"
        )
    )
    review_url = _link("reviews:review")
    for pk, meets_on, first, last, plan, partnership_id in reviews:
        item = Item(
            Kind.REVIEW,
            f"Review of {plan}",
            f"meets {meets_on:%A %-d %B %Y}, for {first:%-d %B} to {last:%-d %B %Y}",
            review_url.format(pk),
            plan,
        )
        for user_id in everyone_in.get(partnership_id, []):
            give(user_id, item)

    digests = {}
    for user_id, found in items.items():
        preference = chosen.get(user_id)
        weekly = (
            preference is not None and preference.frequency == ReminderPreference.Frequency.WEEKLY
        )
        if weekly and day.weekday() != 0:
            continue
        email, name = people[user_id]
        digests[user_id] = Digest(user_id, email, name, found)
    return digests


@dataclass
class Standing:
    """One organisation's part of a plan: what is up to date this period and what is not."""

    organisation: object
    updated: list = field(default_factory=list)
    missing_updates: list = field(default_factory=list)
    readings_in: list = field(default_factory=list)
    readings_due: list = field(default_factory=list)

    @property
    def behind(self) -> bool:
        return bool(self.missing_updates or self.readings_due)


def who_is_up_to_date(plan, *, day: date) -> list[Standing]:
    """By organisation: which of the plan's open actions have this quarter's update, and
    which indicators have a reading for their last finished period (four queries)."""
    quarter_start, _ = quarter_bounds(*quarter_of(day))
    updated = Update.objects.filter(action=OuterRef("pk"), created_at__date__gte=quarter_start)
    standings: dict[int, Standing] = {
        organisation.pk: Standing(organisation)
        for organisation in plan.partnership.organisations.all()
    }
    for action in (
        Action.objects.open()
        .filter(plan=plan)
        .exclude(status__in=[Action.Status.COMPLETE, Action.Status.CANCELLED])
        .annotate(updated=Exists(updated))
        .order_by("number")
    ):
        standing = standings[action.lead_organisation_id]
        (standing.updated if action.updated else standing.missing_updates).append(action)
    for indicator in (
        Indicator.objects.filter(plan=plan).annotate(latest=_latest_of_series()).order_by("code")
    ):
        indicator.expected = last_finished_period(indicator.frequency, day)
        standing = standings[indicator.owner_id]
        has_it = indicator.latest is not None and indicator.latest >= indicator.expected
        (standing.readings_in if has_it else standing.readings_due).append(indicator)
    return [
        standing
        for standing in standings.values()
        if standing.updated
        or standing.missing_updates
        or standing.readings_in
        or standing.readings_due
    ]


@dataclass(frozen=True)
class Completion:
    """One action marked complete, for one lead to confirm: its own email, sent once."""

    user_id: int
    update_id: int
    day: date  # the day it was marked complete: with the key, what makes the email once only
    plan_id: int
    digest: Digest

    @property
    def key(self) -> str:
        return f"{COMPLETION_KEY}{self.update_id}"


def completions_waiting(*, update_ids: list[int] | None = None) -> list[Completion]:
    """For every action marked complete and waiting for a lead (plans not archived), one
    email to each lead of its partnership, in two queries however many there are.
    ``update_ids`` narrows it to those completions (a claim being sent)."""
    marked = Update.objects.filter(action=OuterRef("pk"), status=Action.Status.COMPLETE).order_by(
        "-created_at", "-pk"
    )
    actions = (
        Action.objects.awaiting_confirmation()
        .exclude(plan__status=Plan.Status.ARCHIVED)
        .annotate(
            marked_by=Subquery(marked.values("pk")[:1]),
            marked_at=Subquery(marked.values("created_at")[:1]),
            author_id=Subquery(marked.values("author_id")[:1]),
            author=Subquery(marked.values("author__full_name")[:1]),
        )
        .filter(marked_by__isnull=False)
    )
    if update_ids is not None:
        actions = actions.filter(marked_by__in=update_ids)
    rows = list(
        actions.order_by("plan_id", "number").values_list(
            "pk",
            "reference",
            "title",
            "plan_id",
            "plan__title",
            "plan__partnership_id",
            "marked_by",
            "marked_at",
            "author_id",
            "author",
        )
    )
    leads: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for user_id, partnership_id, email, name in Membership.objects.filter(
        role=Role.LEAD,
        user__is_active=True,
        partnership_id__in={row[5] for row in rows},
    ).values_list("user_id", "partnership_id", "user__email", "user__full_name"):
        leads[partnership_id].append((user_id, email, name))
    action_url = _link("actions:action")
    found = []
    for pk, reference, title, plan_id, plan, partnership_id, update_id, when, *by in rows:
        author_id, author = by
        when = timezone.localtime(when)
        item = Item(
            Kind.AWAITING,
            f"{reference} {title}",
            f"marked complete by {author or 'a former member'} on {when:%-d %B %Y}, with its "
            "evidence and lessons learned: confirm it, or send it back with your reason",
            action_url.format(pk),
            plan,
        )
        for user_id, email, name in leads[partnership_id]:
            if user_id == author_id:
                continue  # a lead who marked it complete knows
            digest = Digest(user_id, email, name, [item])
            found.append(Completion(user_id, update_id, when.date(), plan_id, digest))
    return found
