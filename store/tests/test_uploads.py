"""Upload API: content-checked design files, inline or task measurement, limits, guests by cart token, expiry."""

from __future__ import annotations

import struct
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from store.models import Upload
from store.services.uploads import uploads_expire
from store.tests.factories import QuoteFactory, UploadFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/store/uploads/"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def upload_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RATELIMIT_ENABLE = False
    settings.UPLOAD_INLINE_MAX_KB = 512


def _file(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="application/octet-stream")


def test_a_small_file_is_measured_inline_and_stored_under_a_generated_name(client_for):
    client = client_for()

    response = client.post(
        URL,
        {"file": _file(FIXTURES / "stl" / "plate_holes_binary_watertight.stl", "../../etc/x.stl")},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "stl" and body["status"] == "ready"
    assert body["geometry"]["volume_mm3"] == pytest.approx(767362, rel=1e-3)
    assert body["geometry"]["watertight"] is True
    upload = Upload.objects.get(pk=body["id"])
    assert upload.original_name == "x.stl" and upload.user == client.user
    assert "etc" not in upload.file.name and upload.file.name.endswith(".stl")
    assert default_storage.exists(upload.file.name)


def test_a_large_file_answers_202_and_the_task_measures_it(client_for, settings, django_capture_on_commit_callbacks):
    settings.UPLOAD_INLINE_MAX_KB = 1
    client = client_for()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"file": _file(FIXTURES / "stl" / "plate_holes_binary_watertight.stl")}, format="multipart"
        )

    assert response.status_code == 202 and response.json()["status"] == "processing"
    detail = client.get(f"{URL}{response.json()['id']}/").json()
    assert detail["status"] == "ready" and detail["geometry"]["triangles"] == 1252
    # The task is idempotent: a second run changes nothing.
    from store.tasks import measure_upload_task

    assert measure_upload_task.apply(args=[detail["id"]]).get() == "ready"


def test_a_hostile_file_ends_failed_with_a_reason(client_for, settings, django_capture_on_commit_callbacks):
    settings.UPLOAD_INLINE_MAX_KB = 0
    liar = b"\x01" * 80 + struct.pack("<I", 4_000_000_000) + b"\x02" * 500
    client = client_for()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": SimpleUploadedFile("liar.stl", liar)}, format="multipart")

    assert response.status_code == 202
    detail = client.get(f"{URL}{response.json()['id']}/").json()
    assert detail["status"] == "failed" and "claims" in detail["failure_reason"]


def test_renamed_and_foreign_files_answer_415(client_for):
    client = client_for()
    svg = FIXTURES / "svg" / "trimesh_polygon_a4_mm.svg"
    for upload in (
        _file(svg, "drawing.stl"),
        _file(FIXTURES / "stl" / "cube_ascii_watertight.stl", "cube.dxf"),
        SimpleUploadedFile("photo.stl", b"\x89PNG\r\n\x1a\n" + b"\x00" * 300),
        _file(svg, "drawing.exe"),
    ):
        response = client.post(URL, {"file": upload}, format="multipart")
        assert response.status_code == 415, response.json()
        assert response.json()["code"] == "unsupported_file"
    assert Upload.objects.count() == 0


def test_over_the_size_limit_answers_413(client_for, settings):
    settings.UPLOAD_MAX_MB = 0
    response = client_for().post(
        URL, {"file": _file(FIXTURES / "stl" / "cube_ascii_watertight.stl")}, format="multipart"
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert Upload.objects.count() == 0


def test_no_file_answers_400(client_for):
    response = client_for().post(URL, {}, format="json")
    assert response.status_code == 400 and "file" in response.json()["errors"]


def test_anonymous_uploads_belong_to_the_cart_token(api_client):
    response = api_client.post(URL, {"file": _file(FIXTURES / "svg" / "trimesh_polygon_a4_mm.svg")}, format="multipart")

    assert response.status_code == 201
    token = response["X-Cart-Token"]
    upload_id = response.json()["id"]
    assert response.json()["geometry"]["closed_paths"] == 1
    assert api_client.get(f"{URL}{upload_id}/", HTTP_X_CART_TOKEN=token).status_code == 200
    assert api_client.get(f"{URL}{upload_id}/").status_code == 404
    second = api_client.post(
        URL, {"file": _file(FIXTURES / "dxf" / "wrench_r2004_ac1018.dxf")}, format="multipart", HTTP_X_CART_TOKEN=token
    )
    assert second.status_code == 201 and second["X-Cart-Token"] == token


def test_customers_see_their_own_uploads_and_store_staff_all(client_for):
    upload = UploadFactory()
    assert client_for().get(f"{URL}{upload.pk}/").status_code == 404
    assert client_for(upload.user).get(f"{URL}{upload.pk}/").status_code == 200
    assert client_for(roles=["store_admin"]).get(f"{URL}{upload.pk}/").status_code == 200


def test_unreferenced_uploads_expire_with_their_file(settings):
    old, quoted, fresh = UploadFactory(), UploadFactory(), UploadFactory()
    QuoteFactory(upload=quoted)
    Upload.objects.filter(pk__in=[old.pk, quoted.pk]).update(created_at=timezone.now() - timedelta(days=8))
    name = old.file.name

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert uploads_expire() == 1
    assert uploads_expire() == 0
    assert set(Upload.objects.values_list("pk", flat=True)) == {quoted.pk, fresh.pk}
    assert not default_storage.exists(name)
