"""Direct-to-storage uploads: 503 without S3; with S3 (a local HTTP server standing in for the bucket) a presigned
PUT URL for a generated name, then completion fetches the object and checks it by content."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from store.models import Upload

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
PRESIGN = "/api/v1/store/uploads/presign/"
BUCKET = "makrx-test"


@pytest.fixture
def s3(settings, httpserver):
    settings.RATELIMIT_ENABLE = False
    settings.S3_CONFIGURED = True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": httpserver.url_for("/").rstrip("/"),
                "access_key": "test-access",
                "secret_key": "test-secret",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    return httpserver


def _serve(server, key: str, body: bytes) -> None:
    path = f"/{BUCKET}/{key}"
    headers = {"Content-Length": str(len(body)), "ETag": '"etag"', "Last-Modified": "Sat, 05 Dec 2026 10:00:00 GMT"}
    server.expect_request(path, method="HEAD").respond_with_data(b"", headers=headers)
    server.expect_request(path, method="GET").respond_with_data(body, headers=headers)


def test_without_s3_direct_uploads_answer_503(client_for, settings):
    settings.RATELIMIT_ENABLE = False
    settings.S3_CONFIGURED = False
    response = client_for().post(PRESIGN, {"filename": "a.stl", "size": 100}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "direct_upload_unavailable"


def test_presign_then_complete_measures_the_stored_object(client_for, s3):
    client = client_for()
    body = (FIXTURES / "stl" / "cube_ascii_watertight.stl").read_bytes()

    presigned = client.post(PRESIGN, {"filename": "../Cube.STL", "size": len(body)}, format="json")

    assert presigned.status_code == 201, presigned.json()
    data = presigned.json()
    assert data["method"] == "PUT" and data["upload"]["status"] == "awaiting_file"
    url = urlparse(data["url"])
    key = url.path.removeprefix(f"/{BUCKET}/")
    assert key.startswith("store/uploads/") and key.endswith(".stl") and "Cube" not in key
    assert {"Signature", "X-Amz-Signature"} & set(parse_qs(url.query))  # signed (v2 or v4, per the storage's config)
    upload = Upload.objects.get(pk=data["upload"]["id"])
    assert upload.original_name == "Cube.STL" and upload.file.name == key

    _serve(s3, key, body)
    completed = client.post(f"/api/v1/store/uploads/{upload.pk}/complete/")

    assert completed.status_code == 201, completed.json()
    assert completed.json()["status"] == "ready"
    assert completed.json()["geometry"]["volume_mm3"] == pytest.approx(8.0)
    again = client.post(f"/api/v1/store/uploads/{upload.pk}/complete/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_complete_before_the_put_is_409_and_a_renamed_file_is_415(client_for, s3):
    client = client_for()
    presigned = client.post(PRESIGN, {"filename": "part.stl", "size": 300}, format="json").json()
    upload_id = presigned["upload"]["id"]
    key = urlparse(presigned["url"]).path.removeprefix(f"/{BUCKET}/")
    s3.expect_request(f"/{BUCKET}/{key}", method="HEAD").respond_with_data(b"", status=404)

    missing = client.post(f"/api/v1/store/uploads/{upload_id}/complete/")
    assert missing.status_code == 409 and missing.json()["code"] == "file_missing"

    s3.clear()
    _serve(s3, key, (FIXTURES / "svg" / "trimesh_polygon_a4_mm.svg").read_bytes())
    s3.expect_request(f"/{BUCKET}/{key}", method="DELETE").respond_with_data(b"", status=204)
    renamed = client.post(f"/api/v1/store/uploads/{upload_id}/complete/")
    assert renamed.status_code == 415 and renamed.json()["code"] == "unsupported_file"
    assert not Upload.objects.filter(pk=upload_id).exists()


def test_presign_refuses_size_and_type_up_front(client_for, s3, settings):
    client = client_for()
    assert client.post(PRESIGN, {"filename": "a.exe", "size": 10}, format="json").status_code == 415
    settings.UPLOAD_MAX_MB = 1
    assert client.post(PRESIGN, {"filename": "a.stl", "size": 2 * 2**20}, format="json").status_code == 413
    assert client_for().post("/api/v1/store/uploads/999999/complete/").status_code == 404
