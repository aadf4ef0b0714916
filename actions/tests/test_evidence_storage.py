"""Evidence files kept on the local disk and in S3-compatible object storage (a real server
the tests start): each test runs on both. Whichever it is, a file goes back out only through
the download's access check, never from a public address."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Update
from actions.tests.factories import ActionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.services]

SIGNED = b"%PDF-1.7 the signed contract " + bytes(range(256)) * 40


@pytest.fixture
def action(world):
    return ActionFactory(plan=world.plan, lead_organisation=world.housing, owner=world.partner)


def upload(client, action, content: bytes = SIGNED, name: str = "contract.pdf"):
    return client.post(
        reverse("actions:update_create", args=[action.pk]),
        {
            "status": "on_track",
            "progress": 30,
            "note": "Signed.",
            "evidence_file": SimpleUploadedFile(name, content),
        },
    )


def kept_bytes(storage, name: str) -> bytes:
    if storage is None:
        return (Path(settings.MEDIA_ROOT) / name).read_bytes()
    return storage.read(name)


def test_a_partners_file_is_kept_and_every_member_downloads_the_same_bytes(
    storage, client, action, world
):
    client.force_login(world.partner)
    assert upload(client, action).status_code == 302
    update = Update.objects.get()
    assert update.evidence_file.name.startswith(f"evidence/plan-{world.plan.pk}/")
    assert kept_bytes(storage, update.evidence_file.name) == SIGNED
    if storage is not None:  # in the bucket, and nowhere on this disk
        assert storage.keys() == [update.evidence_file.name]
        assert not Path(settings.MEDIA_ROOT).exists()
    for member in (world.partner, world.lead, world.board):
        client.force_login(member)
        response = client.get(reverse("actions:evidence", args=[update.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == SIGNED
        assert response["Content-Disposition"] == 'attachment; filename="contract.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_someone_of_another_partnership_gets_404_not_the_file(storage, client, action, world):
    client.force_login(world.partner)
    upload(client, action)
    url = reverse("actions:evidence", args=[Update.objects.get().pk])
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


def test_a_refused_file_leaves_nothing_in_the_storage(storage, partner_client, action):
    response = upload(partner_client, action, b"MZ\x90\x00 a program", "report.pdf")
    assert response.status_code == 422
    assert "not of a kind we accept" in response.content.decode()
    assert not Update.objects.exists()
    if storage is None:
        assert not Path(settings.MEDIA_ROOT).exists()
    else:
        assert storage.keys() == []


def test_objects_are_private_and_the_site_hands_out_no_address(s3_storage, partner_client, action):
    upload(partner_client, action)
    update = Update.objects.get()
    acl = s3_storage.server.client().get_object_acl(
        Bucket=s3_storage.name, Key=update.evidence_file.name
    )
    grantees = {grant["Grantee"].get("URI", "owner") for grant in acl["Grants"]}
    assert grantees == {"owner"}, "nobody but the bucket's owner may read it"
    response = partner_client.get(reverse("actions:evidence", args=[update.pk]))
    assert response.status_code == 200  # the bytes themselves, streamed through the check
    assert "Location" not in response
    assert s3_storage.server.endpoint_url not in response.headers.get("Link", "")
