"""A build copied (improveplan/tests/kept_rows.py, "Builds copied") is written back as it was
made: the same rows with the same ids, its value and its files; and the database goes on
from there as after a real build."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from improveplan.models import Partnership
from improveplan.tests.factories import MembershipFactory, PartnershipFactory
from improveplan.tests.kept_rows import _Copies, _digests

pytestmark = pytest.mark.services  # PostgreSQL


def _builder(made: list):
    def build() -> dict:
        made.append(1)
        membership = MembershipFactory(user__full_name="Cass Copied")
        (build.media / "evidence.txt").write_text("minutes")
        return {"membership": membership.pk, "partnership": membership.partnership.pk}

    return build


def test_a_second_build_writes_back_the_first_ones_rows_value_and_files(postgresql, tmp_path):
    copies, made = _Copies(), []
    build = _builder(made)
    first_media, second_media = tmp_path / "first", tmp_path / "second"
    first_media.mkdir()
    build.media = first_media
    with transaction.atomic():
        first = copies.build(("test",), build, first_media)
        rows = _digests()
        transaction.set_rollback(True)
    assert not Partnership.objects.filter(pk=first["partnership"]).exists()

    second = copies.build(("test",), build, second_media)

    assert made == [1], "built once, then written back"
    assert second == first
    assert _digests() == rows
    assert (second_media / "evidence.txt").read_text() == "minutes"
    assert PartnershipFactory().pk > first["partnership"]


def test_rows_made_differently_beforehand_get_a_build_of_their_own(postgresql, tmp_path):
    copies, made = _Copies(), []
    build = _builder(made)
    build.media = tmp_path
    with transaction.atomic():
        copies.build(("test",), build, tmp_path)
        transaction.set_rollback(True)
    PartnershipFactory(name="Made before")

    copies.build(("test",), build, tmp_path)

    assert made == [1, 1]


@pytest.mark.django_db(transaction=True)
def test_tables_emptied_since_go_on_from_the_ids_written_back(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("copies are made on PostgreSQL only")
    copies, made = _Copies(), []
    build = _builder(made)
    build.media = tmp_path
    first = copies.build(("test",), build, tmp_path)
    with connection.cursor() as cursor:  # as a test that commits leaves them, ids from one
        cursor.execute(
            "TRUNCATE improveplan_partnership, improveplan_organisation, improveplan_user, "
            "improveplan_membership RESTART IDENTITY CASCADE"
        )

    copies.build(("test",), build, tmp_path)

    assert made == [1]
    assert Partnership.objects.get().pk == first["partnership"]
    assert PartnershipFactory().pk > first["partnership"]


@pytest.mark.django_db(transaction=True)
def test_a_build_is_written_back_after_the_content_types_are_made_again(tmp_path):
    """As after a test that commits: the tables emptied, and the content types and
    permissions made again under new ids."""
    if connection.vendor != "postgresql":
        pytest.skip("copies are made on PostgreSQL only")
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    copies, made = _Copies(), []
    build = _builder(made)
    build.media = tmp_path
    copies.build(("test",), build, tmp_path)
    first_type = ContentType.objects.get_for_model(Partnership).pk
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Partnership).pk != first_type

    copies.build(("test",), build, tmp_path)

    assert made == [1]
