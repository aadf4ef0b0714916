"""A partnership moves with its evidence files: export_partnership writes one archive of the
data and the files, import_partnership puts both in, or neither. On the local disk and in
object storage alike."""

from __future__ import annotations

import json
import secrets
import zipfile
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.models import Update
from actions.tests.factories import ActionFactory, UpdateFactory
from improveplan.models import Partnership
from improveplan.tests.test_portability import (
    export,
    forget,
    import_file,
    snapshot,
    table_counts,
    write,
)

pytestmark = pytest.mark.django_db

MINUTES = b"%PDF-1.7 the minutes " + bytes(range(256)) * 20
PHOTO = b"\x89PNG\r\n\x1a\n a photograph of the new clinic"


@pytest.fixture
def evidence(world) -> dict[str, bytes]:
    """Two updates of the partnership's with a file each, by stored name."""
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, owner=world.partner)
    kept = {}
    for content, label, kind in ((MINUTES, "minutes.pdf", "pdf"), (PHOTO, "clinic.png", "png")):
        update = UpdateFactory(
            action=action,
            author=world.partner,
            evidence_name=label,
            evidence_kind=kind,
            token=secrets.token_hex(16),  # as every update is given one
        )
        update.evidence_file.save("evidence.bin", ContentFile(content), save=True)
        kept[update.evidence_file.name] = content
    return kept


def stored(names) -> dict[str, bytes | None]:
    found = {}
    for name in names:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as file:
                found[name] = file.read()
        else:
            found[name] = None
    return found


def remove(names) -> None:
    """As if the partnership went to a site with storage of its own."""
    for name in names:
        default_storage.delete(name)


@pytest.mark.services
def test_the_files_go_with_the_partnership_and_come_back_byte_for_byte(
    storage, world, evidence, tmp_path, client
):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    with zipfile.ZipFile(path) as archive:
        assert {name: archive.read(f"files/{name}") for name in evidence} == evidence
        assert sorted(archive.namelist()) == sorted(
            ["partnership.json", *(f"files/{name}" for name in evidence)]
        )
    assert data["objects"]["actions.update"]
    before = snapshot(world.partnership.pk)
    forget(world.partnership)
    remove(evidence)
    assert stored(evidence) == dict.fromkeys(evidence)

    out = import_file(path)

    assert "2 files" in out
    assert snapshot(world.partnership.pk) == before
    assert stored(evidence) == evidence
    if storage is not None:
        assert storage.keys("evidence/") == sorted(evidence)
    partnership = Partnership.objects.get(pk=world.partnership.pk)
    client.force_login(partnership.memberships.get(role="lead").user)
    for update in Update.objects.exclude(evidence_file=""):
        response = client.get(reverse("actions:evidence", args=[update.pk]))
        assert b"".join(response.streaming_content) == evidence[update.evidence_file.name]


def test_an_archive_missing_a_file_is_refused_whole(world, evidence, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    remove(evidence)
    first, _ = evidence
    write(path, data, {first: evidence[first]})
    counts = table_counts()

    with pytest.raises(CommandError, match=r"name 1 files the archive does not hold"):
        import_file(path)

    assert table_counts() == counts
    assert stored(evidence) == dict.fromkeys(evidence)


@pytest.mark.services
def test_a_file_that_cannot_go_in_takes_the_others_and_the_rows_back_out(
    storage, world, evidence, tmp_path
):
    path = tmp_path / "riverside.zip"
    export(world.partnership, path)
    forget(world.partnership)
    first, second = evidence
    remove([first])
    default_storage.delete(second)
    default_storage.save(second, ContentFile(b"another site's file of the same name"))
    counts = table_counts()

    with pytest.raises(CommandError, match="already holds a different file named"):
        import_file(path)

    assert table_counts() == counts
    assert stored([first]) == {first: None}  # written, then taken out again
    assert stored([second]) == {second: b"another site's file of the same name"}


@pytest.mark.parametrize(
    "name", ["files/../../etc/passwd", "files//etc/passwd", "elsewhere/evidence.bin"]
)
def test_an_archive_with_a_path_of_its_own_is_refused(world, tmp_path, name):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("partnership.json", json.dumps(data))
        archive.writestr(name, b"anything")
    counts = table_counts()

    with pytest.raises(CommandError, match="which is not a file of an export"):
        import_file(path)

    assert table_counts() == counts


def test_an_archive_with_files_no_row_names_is_refused(world, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    write(path, data, {"evidence/plan-1/2026/01/stray.bin": b"stray"})

    with pytest.raises(CommandError, match="holds files no row names"):
        import_file(path)

    assert not default_storage.exists("evidence/plan-1/2026/01/stray.bin")


def test_an_export_whose_file_is_missing_stops_and_writes_nothing(world, evidence, tmp_path):
    first, _ = evidence
    default_storage.delete(first)
    path = tmp_path / "riverside.zip"

    with pytest.raises(CommandError, match=f"The file {first}, which the partnership's data"):
        call_command("export_partnership", str(world.partnership.pk), str(path), stdout=StringIO())

    assert not path.exists()


def test_a_json_export_from_before_files_travelled_is_still_read(world, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    legacy = tmp_path / "riverside.json"
    legacy.write_text(json.dumps(data), encoding="utf-8")

    assert "0 files" in import_file(legacy)
    assert Partnership.objects.filter(pk=world.partnership.pk).exists()
