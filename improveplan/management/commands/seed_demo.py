"""A demo partnership to explore, with one sign-in for each role.

Running it again changes nothing: every row is found or made by its natural key.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.demo import seed_actions
from comments.demo import seed_comments
from improveplan.models import Membership, Organisation, Partnership, Plan, Role, User
from improveplan.shell.demo import seed_plan_versions, seed_sign_ups
from methods.demo import seed_method_plans
from outcomes.demo import seed_import_mapping, seed_outcomes, seed_status_override
from publishing.demo import seed_publication
from reviews.demo import PEER_REVIEWER, seed_next_year, seed_reviews

DEMO_PASSWORD = "improve-together-2026"

PARTNERSHIP = {
    "name": "Riverside Health and Wellbeing Partnership",
    "description": "The council, the NHS, police, housing and the voluntary sector in Riverside, "
    "working together on the health and wellbeing of local people.",
}

ORGANISATIONS = [
    ("Riverside Borough Council", Organisation.Kind.COUNCIL),
    ("Riverside Integrated Care Board", Organisation.Kind.HEALTH),
    ("Riverside Community Housing", Organisation.Kind.HOUSING),
    ("Eastshire Police – Riverside district", Organisation.Kind.POLICE),
    ("Riverside Council for Voluntary Service", Organisation.Kind.VOLUNTARY),
]

PEOPLE = [
    # email, full name, organisation, role
    ("lead@demo.improveplan.test", "Priya Shah", "Riverside Borough Council", Role.LEAD),
    ("housing@demo.improveplan.test", "Tom Okafor", "Riverside Community Housing", Role.PARTNER),
    (
        "health@demo.improveplan.test",
        "Grace Lindqvist",
        "Riverside Integrated Care Board",
        Role.PARTNER,
    ),
    ("board@demo.improveplan.test", "Cllr Margaret Ellis", "Riverside Borough Council", Role.BOARD),
]

PLAN = {
    "title": "Healthier Riverside 2026–2029",
    "period_start": date(2026, 4, 1),
    "period_end": date(2029, 3, 31),
    "method": Plan.Method.FIVE_STEPS,
    "status": Plan.Status.DRAFT,
    "vision": "By 2029 people in every Riverside neighbourhood live longer, healthier lives, "
    "and the gap between our most and least deprived wards has narrowed.",
    # Issue 24: the plan's frame
    "scope": "Adults and families living in Riverside borough, and the services the five "
    "partners run for them. Hospital treatment and schools' curriculum are outside it: other "
    "plans cover them.",
}

# A second partnership, so that the demo shows one partnership never sees another.
OTHER_PARTNERSHIP = "Hillside Children and Young People's Partnership"
OTHER_LEAD = ("hillside@demo.improveplan.test", "Daniel Mensah", "Hillside County Council")


DEMO_PARTNERSHIPS = [PARTNERSHIP["name"], OTHER_PARTNERSHIP]


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo partnership and its sign-ins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already holds any partnership.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add the demo even beside partnerships that are not the demo's.",
        )

    def handle(self, *args, if_empty: bool = False, force: bool = False, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG on: it creates accounts whose passwords are public."
            )
        if if_empty and Partnership.objects.exists():
            self.stdout.write("The database already holds partnerships; the demo was not added.")
            return
        if not force and Partnership.objects.exclude(name__in=DEMO_PARTNERSHIPS).exists():
            raise CommandError(
                "This database holds partnerships that are not the demo's, and seed_demo adds "
                "accounts whose passwords are public. Use --force on a development database."
            )
        self.seed()
        self.stdout.write(self.style.SUCCESS("The demo is ready. Sign in at /account/sign-in/ as:"))
        for email, name, organisation, role in PEOPLE:
            self.stdout.write(f"  {Role(role).label:<13} {email:<34} ({name}, {organisation})")
        self.stdout.write(
            f"  {'Other partnership':<13} {OTHER_LEAD[0]:<34} (sees none of Riverside)"
        )
        self.stdout.write(f"  {'Peer reviewer':<13} {PEER_REVIEWER[0]:<34} (reads the plan only)")
        self.stdout.write(f"Every demo account's password is: {DEMO_PASSWORD}")

    @transaction.atomic  # all or nothing, whoever calls it
    def seed(self) -> None:
        partnership, _ = Partnership.objects.update_or_create(
            name=PARTNERSHIP["name"], defaults={"description": PARTNERSHIP["description"]}
        )
        organisations = {}
        for name, kind in ORGANISATIONS:
            organisations[name], _ = Organisation.objects.update_or_create(
                partnership=partnership, name=name, defaults={"kind": kind}
            )
        for email, full_name, organisation, role in PEOPLE:
            self.member(partnership, organisations[organisation], email, full_name, role)
        plan, _ = Plan.objects.update_or_create(
            partnership=partnership, title=PLAN["title"], defaults=PLAN
        )
        seed_outcomes(plan, organisations)
        users = {e: User.objects.get(email=e) for e, *_ in PEOPLE}
        seed_actions(plan, organisations, users)
        seed_status_override(plan, users[PEOPLE[0][0]])
        seed_import_mapping(plan, users[PEOPLE[0][0]])
        seed_reviews(plan)
        seed_comments(plan)
        # Last: the plan as it now stands is its second agreed version.
        seed_plan_versions(plan, users[PEOPLE[0][0]])
        seed_sign_ups(plan)
        seed_method_plans(partnership, organisations, users)
        seed_publication(plan, users[PEOPLE[0][0]])  # Issue 23: its public page
        seed_next_year(plan, users[PEOPLE[0][0]])  # Issue 24: its predecessor, a template

        other, _ = Partnership.objects.get_or_create(name=OTHER_PARTNERSHIP)
        council, _ = Organisation.objects.get_or_create(
            partnership=other, name=OTHER_LEAD[2], defaults={"kind": Organisation.Kind.COUNCIL}
        )
        self.member(other, council, OTHER_LEAD[0], OTHER_LEAD[1], Role.LEAD)
        Plan.objects.get_or_create(
            partnership=other,
            title="Best Start in Hillside 2026–2028",
            defaults={"period_start": date(2026, 4, 1), "period_end": date(2028, 3, 31)},
        )

    def member(self, partnership, organisation, email, full_name, role) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
        else:
            user.full_name = full_name
            user.is_active = True
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["full_name", "is_active", "password"])
        Membership.objects.update_or_create(
            user=user,
            partnership=partnership,
            defaults={"organisation": organisation, "role": role},
        )
