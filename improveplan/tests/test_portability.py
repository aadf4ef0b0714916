"""export_partnership and import_partnership: a partnership moves between databases whole,
keeps its ids, brings its people by email and never their passwords."""

from __future__ import annotations

import json
import zipfile
from contextlib import contextmanager
from io import BytesIO, StringIO, TextIOWrapper

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.utils import timezone

from actions.versions import plan_agree
from improveplan import portability
from improveplan.models import (
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Plan,
    PlanVersion,
    Role,
    User,
)
from improveplan.portability import partnership_models, partnership_rows
from improveplan.tests.factories import InvitationFactory, OrganisationFactory, PlanFactory
from outcomes.tests.factories import (
    ComparatorReadingFactory,
    EvidenceFactory,
    IndicatorFactory,
    ReadingFactory,
    RiskFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


def export(partnership: Partnership, path) -> dict:
    call_command("export_partnership", str(partnership.pk), str(path), stdout=StringIO())
    data, _ = portability.read_archive(path.read_bytes())
    return data


def export_text(path) -> str:
    """The data of an exported archive, as the text it holds."""
    with zipfile.ZipFile(path) as archive:
        return archive.read("partnership.json").decode("utf-8")


def import_file(path) -> str:
    out = StringIO()
    call_command("import_partnership", str(path), stdout=out)
    return out.getvalue()


def write(path, data: dict, files: dict[str, bytes] | None = None) -> None:
    """An archive as export_partnership writes it, of this data and these files."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("partnership.json", json.dumps(data))
        for name, content in (files or {}).items():
            archive.writestr(f"files/{name}", content)


def forget(partnership: Partnership) -> None:
    """Delete the partnership, and the people in no other one, as if this were another
    database that has never held it."""
    people = list(User.objects.filter(memberships__partnership=partnership))
    # An organisation protects its members from deletion, so the members go first.
    Membership.objects.filter(partnership=partnership).delete()
    # Through the queryset, so the test's objects keep their ids to compare with.
    Partnership.objects.filter(pk=partnership.pk).delete()
    User.objects.filter(pk__in=[person.pk for person in people], memberships=None).delete()


def snapshot(partnership_id: int) -> dict:
    """Every row of the partnership as the database holds it. People appear by email, since
    account ids differ between databases."""
    email_of = dict(User.objects.values_list("pk", "email"))
    people = set()

    def person(pk):
        people.add(pk)
        return email_of[pk]

    rows = {}
    for model in partnership_models():
        queryset = partnership_rows(model, partnership_id=partnership_id)
        user_columns = [f.attname for f in model._meta.concrete_fields if f.related_model is User]
        values = list(queryset.values())
        for row in values:
            for column in user_columns:
                if row[column] is not None:
                    row[column] = person(row[column])
        rows[model._meta.label] = values
        for field in model._meta.many_to_many:
            links = queryset.values_list("pk", field.name)
            rows[f"{model._meta.label}.{field.name}"] = sorted(
                (pk, person(other) if field.related_model is User else other)
                for pk, other in links
                if other is not None
            )
    rows["users"] = sorted(
        User.objects.filter(pk__in=people).values_list(
            "email", "full_name", "is_active", "date_joined"
        )
    )
    return rows


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@contextmanager
def models_added_to(app_label: str):
    """Models defined inside the block join the project's app registry until it ends.

    partnership_models() reads the project's registry, which an isolate_apps registry is not:
    that holds neither Partnership nor the reverse relations a many-to-many manager needs."""
    registered = apps.all_models[app_label]
    before = set(registered)
    try:
        yield
    finally:
        for name in set(registered) - before:
            del registered[name]
        apps.clear_cache()


# Round trip -------------------------------------------------------------------


def test_a_partnership_comes_back_exactly_as_it_was(world, tmp_path):
    InvitationFactory(organisation=world.housing, invited_by=world.lead, email="new@example.org")
    InvitationFactory(
        organisation=world.council,
        role=Role.BOARD,
        email=world.board.email,
        invited_by=world.lead,
        accepted_at=timezone.now(),
        accepted_by=world.board,
    )
    User.objects.filter(pk=world.partner.pk).update(is_active=False)
    # Steps 1–3, with every kind of row and awkward values: many decimals, user links, dates.
    indicator = IndicatorFactory(
        outcome__plan=world.plan,
        owner=world.housing,
        status_override="at_risk",
        override_reason="New survey – not yet published",
        overridden_by=world.lead,
        overridden_at=timezone.now(),
    )
    ReadingFactory(
        indicator=indicator,
        value="12.3456",
        lower="11.0001",
        upper="13.9",
        entered_by=world.partner,
    )
    ReadingFactory(indicator=indicator, value="9.5", breakdown="Northfield")
    TargetFactory(indicator=indicator)
    ComparatorReadingFactory(comparator__indicator=indicator)
    EvidenceFactory(
        outcome=indicator.outcome,
        kind="intervention",
        lead_organisation=world.council,
        cost="1234.56",
        link="https://example.org/é",
    )
    RiskFactory(outcome=indicator.outcome, manageable_locally=False)
    # An agreed version travels with its plan, snapshot and all.
    plan_agree(plan=world.plan, by=world.lead, smart_exception_reason="")
    riverside = world.partnership
    first_file = tmp_path / "riverside.zip"
    first = export(riverside, first_file)
    before = snapshot(riverside.pk)
    assert len(before["improveplan.Membership"]) == 3
    assert len(before["improveplan.Invitation"]) == 2
    assert len(before["users"]) == 3
    for label in (
        "outcomes.Outcome",
        "outcomes.Indicator",
        "outcomes.Reading",
        "outcomes.Target",
        "outcomes.Comparator",
        "outcomes.ComparatorReading",
        "outcomes.Evidence",
        "outcomes.Risk",
        "improveplan.PlanVersion",
    ):
        assert before[label], f"the round trip should carry {label}"

    forget(riverside)
    assert not Partnership.objects.filter(pk=riverside.pk).exists()
    assert not User.objects.filter(email=world.lead.email).exists()
    out = import_file(first_file)

    assert snapshot(riverside.pk) == before
    assert out.startswith(f"Imported “Riverside Partnership” (id {riverside.pk}): ")
    assert "3 improveplan.membership" in out
    second = export(riverside, tmp_path / "again.zip")
    del first["exported_at"], second["exported_at"]
    assert second == first


@pytest.mark.django_db(transaction=True)
def test_many_to_many_links_come_back(world, tmp_path):
    # No model has a many-to-many field yet, so the test brings its own.
    with models_added_to("outcomes"):

        class ExampleTheme(models.Model):  # noqa: DJ008
            plan = models.ForeignKey(Plan, on_delete=models.CASCADE)
            organisations = models.ManyToManyField(Organisation)
            champions = models.ManyToManyField(settings.AUTH_USER_MODEL)

            class Meta:
                app_label = "outcomes"

        with connection.schema_editor() as editor:
            editor.create_model(ExampleTheme)
        try:
            theme = ExampleTheme.objects.create(plan=world.plan)
            theme.organisations.set([world.council, world.housing])
            theme.champions.set([world.lead, world.partner])
            ExampleTheme.objects.create(plan=world.plan)
            path = tmp_path / "riverside.zip"
            data = export(world.partnership, path)
            assert data["objects"]["outcomes.exampletheme"][0]["champions"] == sorted(
                [world.lead.email, world.partner.email]
            )
            before = snapshot(world.partnership.pk)
            assert len(before["outcomes.ExampleTheme.organisations"]) == 2

            forget(world.partnership)
            assert not ExampleTheme.objects.exists()
            import_file(path)

            assert snapshot(world.partnership.pk) == before
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(ExampleTheme)


def test_ids_continue_after_the_imported_ones_on_postgresql(world, tmp_path, postgresql):
    path = tmp_path / "riverside.zip"
    export(world.partnership, path)
    forget(world.partnership)
    # As on a fresh database, the id sequences would next hand out ids the file holds.
    with connection.cursor() as cursor:
        for model, pk in ((Plan, world.plan.pk), (Organisation, world.council.pk)):
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                [model._meta.db_table, pk],
            )

    import_file(path)

    riverside = Partnership.objects.get(pk=world.partnership.pk)
    assert PlanFactory(partnership=riverside).pk > world.plan.pk
    assert OrganisationFactory(partnership=riverside).pk > world.housing.pk


# People -----------------------------------------------------------------------


def test_an_existing_account_is_used_whatever_the_case_of_its_address(world, tmp_path):
    path = tmp_path / "riverside.zip"
    export(world.partnership, path)
    forget(world.partnership)
    existing = User.objects.create(email=world.lead.email.upper(), full_name="Lena M. Lead")

    import_file(path)

    assert User.objects.filter(email__iexact=world.lead.email).count() == 1
    assert Membership.objects.get(partnership=world.partnership.pk, role=Role.LEAD).user == existing
    existing.refresh_from_db()
    assert existing.full_name == "Lena M. Lead"
    newcomer = User.objects.get(email=world.partner.email)
    assert newcomer.full_name == "Pat Partner"
    assert not newcomer.has_usable_password()


def test_no_password_leaves_the_database(world, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    text = export_text(path)

    assert "md5$" not in text
    assert "pbkdf2" not in text
    assert world.lead.password not in text
    assert {frozenset(person) for person in data["users"]} == {
        frozenset({"email", "full_name", "is_active", "date_joined"})
    }


def test_a_file_cannot_make_anyone_staff_or_set_their_password(world, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    for person in data["users"]:
        person.update(is_staff=True, is_superuser=True, password=world.outsider.password)
    write(path, data)

    import_file(path)

    lead = User.objects.get(email=world.lead.email)
    assert not lead.is_staff
    assert not lead.is_superuser
    assert not lead.has_usable_password()


# What is exported --------------------------------------------------------------


def test_the_export_holds_nothing_of_the_other_partnership(world, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    text = export_text(path)

    assert "Hillside" not in text
    assert world.outsider.email not in text
    objects = data["objects"]
    assert [row["pk"] for row in objects["improveplan.partnership"]] == [world.partnership.pk]
    assert [row["pk"] for row in objects["improveplan.plan"]] == [world.plan.pk]
    assert world.other_plan.pk not in [row["pk"] for row in objects["improveplan.plan"]]
    assert {row["pk"] for row in objects["improveplan.organisation"]} == {
        world.council.pk,
        world.housing.pk,
    }


def test_the_export_can_be_written_to_stdout(world):
    out, err = TextIOWrapper(BytesIO()), StringIO()
    call_command("export_partnership", str(world.partnership.pk), "-", stdout=out, stderr=err)

    data, files = portability.read_archive(out.buffer.getvalue())
    assert files == {}
    assert data["format"] == "improveplan-partnership"
    assert data["version"] == 1
    assert "1 improveplan.plan" in err.getvalue()


def test_exporting_a_partnership_that_does_not_exist_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="There is no partnership with id 999999"):
        call_command("export_partnership", "999999", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()


# Refusals ----------------------------------------------------------------------


def test_importing_into_a_database_that_still_holds_it_is_refused(world, tmp_path):
    path = tmp_path / "riverside.zip"
    export(world.partnership, path)
    counts = table_counts()

    with pytest.raises(CommandError) as refusal:
        import_file(path)

    assert str(refusal.value) == (
        f"This database already holds the partnership “Riverside Partnership” "
        f"(id {world.partnership.pk}); nothing was imported."
    )
    assert table_counts() == counts


def test_a_file_whose_ids_are_taken_is_refused(world, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    # Another partnership by name and id, but with rows whose ids this database has used.
    old_pk, new_pk = world.partnership.pk, world.partnership.pk + 1000
    data["objects"]["improveplan.partnership"][0].update(pk=new_pk, name="Riverside Again")
    for rows in data["objects"].values():
        for row in rows:
            if row.get("partnership") == old_pk:
                row["partnership"] = new_pk
    write(path, data)
    counts = table_counts()

    with pytest.raises(CommandError, match=r"already holds .* with the ids .*nothing was imported"):
        import_file(path)

    assert table_counts() == counts


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "someone-elses-export"}, "not an ImprovePlan partnership export"),
        ({"version": 2}, "version 2 of the partnership export; this site reads version 1"),
    ],
)
def test_a_file_of_another_format_or_version_is_refused(world, tmp_path, change, message):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    write(path, data | change)
    counts = table_counts()

    with pytest.raises(CommandError, match=message):
        import_file(path)

    assert table_counts() == counts


def test_a_file_that_is_not_json_is_refused(world, tmp_path):
    path = tmp_path / "riverside.zip"
    path.write_text('{"format": "improveplan-partnership", ', encoding="utf-8")
    counts = table_counts()

    with pytest.raises(CommandError, match="is not valid JSON"):
        import_file(path)

    assert table_counts() == counts


def test_a_file_that_reaches_into_another_partnership_is_refused(world, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    data["objects"]["improveplan.plan"][0]["partnership"] = world.other_partnership.pk
    write(path, data)
    counts = table_counts()

    with pytest.raises(CommandError, match="refers to rows it does not hold"):
        import_file(path)

    assert table_counts() == counts
    assert world.other_partnership.plans.count() == 1


def test_a_failure_part_way_leaves_nothing_behind(world, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    data["objects"]["improveplan.plan"][0]["period_end"] = "2020-01-01"  # before it starts
    write(path, data)
    counts = table_counts()

    with pytest.raises(CommandError, match="The database refused the data"):
        import_file(path)

    assert table_counts() == counts


# Which models belong to a partnership ---------------------------------------------


def test_the_partnership_models_today():
    found = partnership_models()

    assert {Partnership, Organisation, Membership, Invitation, Plan} <= set(found)
    assert User not in found
    assert PlanVersion in found
    # The history of changes stays with the database it was written in.
    assert not [model for model in found if model.__name__.startswith("Historical")]
    assert found[0] is Partnership
    assert found.index(Organisation) < found.index(Membership)
    assert found.index(Organisation) < found.index(Invitation)


def test_a_model_linked_through_a_chain_of_required_keys_is_found():
    with models_added_to("outcomes"):

        class ExampleIndicator(models.Model):  # noqa: DJ008
            plan = models.ForeignKey(Plan, on_delete=models.CASCADE)

            class Meta:
                app_label = "outcomes"

        class ExampleReading(models.Model):  # noqa: DJ008
            indicator = models.ForeignKey(ExampleIndicator, on_delete=models.CASCADE)
            recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)

            class Meta:
                app_label = "outcomes"

        found = partnership_models()
        where = str(partnership_rows(ExampleReading, partnership_id=7).query)

    assert found.index(Plan) < found.index(ExampleIndicator) < found.index(ExampleReading)
    assert '"improveplan_plan"."partnership_id" = 7' in where
    assert ExampleReading not in partnership_models()


def test_a_model_the_export_cannot_place_stops_it(monkeypatch):
    with models_added_to("outcomes"):

        class ExampleStrayNote(models.Model):  # noqa: DJ008
            # Optional, so a note without a plan would belong to no partnership.
            plan = models.ForeignKey(Plan, null=True, on_delete=models.SET_NULL)

            class Meta:
                app_label = "outcomes"

        with pytest.raises(ImproperlyConfigured, match=r"outcomes\.ExampleStrayNote points to"):
            partnership_models()

        monkeypatch.setattr(
            portability, "NOT_EXPORTED", {*portability.NOT_EXPORTED, "outcomes.ExampleStrayNote"}
        )
        assert ExampleStrayNote not in partnership_models()


def test_a_link_to_data_outside_any_partnership_stops_the_export():
    with models_added_to("outcomes"):

        class ExampleAttachment(models.Model):  # noqa: DJ008
            plan = models.ForeignKey(Plan, on_delete=models.CASCADE)
            kind = models.ForeignKey(ContentType, on_delete=models.CASCADE)

            class Meta:
                app_label = "outcomes"

        with pytest.raises(ImproperlyConfigured, match=r"ExampleAttachment\.kind points to"):
            partnership_models()


def test_exports_and_imports_are_in_the_security_log(world, tmp_path):
    from improveplan.models import SecurityEvent

    path = tmp_path / "riverside.zip"
    call_command("export_partnership", str(world.partnership.pk), str(path))
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.EXPORT)
    assert event.partnership == world.partnership
    assert str(path) in event.detail


def test_a_text_longer_than_its_field_allows_is_refused(world, tmp_path):
    """The database does not check a TextField's max_length: the import does."""
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    data["objects"]["improveplan.plan"][0]["vision"] = "x" * 2_000_000
    write(path, data)
    counts = table_counts()

    with pytest.raises(CommandError) as refusal:
        import_file(path)

    assert str(refusal.value) == (
        f"The plan with id {world.plan.pk} has a vision of 2,000,000 characters; the most it "
        "may have is 10,000; nothing was imported."
    )
    assert table_counts() == counts
