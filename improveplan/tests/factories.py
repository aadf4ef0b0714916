from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone

from improveplan.models import Invitation, Membership, Organisation, Partnership, Plan, Role, User

PASSWORD = "a-long-test-password-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.COUNCIL


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    partnership = factory.SelfAttribute("organisation.partnership")
    role = Role.PARTNER


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Plan {n}")
    period_start = date(2026, 4, 1)
    period_end = date(2029, 3, 31)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    partnership = factory.SelfAttribute("organisation.partnership")
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.PARTNER
    expires_at = factory.LazyFunction(lambda: Invitation.expiry_from(timezone.now()))
