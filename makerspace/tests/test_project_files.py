"""Project files and cover images: who uploads, lists and deletes; hostile files (renamed binaries, oversize,
path traversal names, decompression bombs); generated storage names; a fixed query count for the list."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from makerspace.models import Project, ProjectFile
from makerspace.services import project_files as file_services
from makerspace.services import projects as project_services
from makerspace.tests.factories import MakerspaceFactory, MemberFactory, ProjectFactory, ProjectFileFactory, UserFactory
from makrx.errors import PermissionDenied

pytestmark = pytest.mark.django_db
BASE = "/api/v1/makerspace/projects"
GENERATED = re.compile(r"^projects/files/[0-9a-f]{32}(\.[a-z0-9]{1,10})?$")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def image_bytes(fmt: str = "PNG", size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb's calling card."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def raw_named(name: str, content: bytes) -> SimpleUploadedFile:
    """An upload whose name is exactly what a hostile client sent (Django's own parser strips some of it first;
    the service must not rely on that)."""
    uploaded = SimpleUploadedFile("placeholder", content)
    uploaded._name = name
    return uploaded


@pytest.fixture
def world():
    space, other = MakerspaceFactory(), MakerspaceFactory()
    owner = MemberFactory(makerspace=space).user
    people = {
        "owner": owner,
        "member": MemberFactory(makerspace=space).user,
        "editor": MemberFactory(makerspace=other).user,
        "viewer": MemberFactory(makerspace=space).user,
        "staff": MemberFactory(makerspace=space, role="staff").user,
        "staff_other": MemberFactory(makerspace=other, role="staff").user,
        "stranger": UserFactory(),
    }
    projects = {
        vis: ProjectFactory(owner=owner, makerspace=space, visibility=vis, title=f"{vis} project")
        for vis in ("public", "members", "private")
    }
    for project in projects.values():
        for who, role in (("editor", "editor"), ("viewer", "viewer")):
            project_services.collaborator_invite(actor=owner, project=project, user=people[who], role=role)
            project_services.collaborator_accept(actor=people[who], project=project)
        ProjectFileFactory(project=project, uploaded_by=owner, name=f"{project.visibility}.txt")
    return people, projects


VISIBLE = {
    "anonymous": {"public"},
    "stranger": {"public"},
    "member": {"public", "members"},
    "viewer": {"public", "members", "private"},
    "editor": {"public", "members", "private"},
    "staff": {"public", "members", "private"},
    "staff_other": {"public"},
    "owner": {"public", "members", "private"},
}


@pytest.mark.parametrize("viewer", list(VISIBLE))
def test_file_list_follows_the_projects_visibility(world, api_client, client_for, viewer):
    people, projects = world
    client = api_client if viewer == "anonymous" else client_for(people[viewer])
    for vis, project in projects.items():
        response = client.get(f"{BASE}/{project.pk}/files/")
        if vis in VISIBLE[viewer]:
            assert response.status_code == 200, (viewer, vis)
            assert [row["name"] for row in response.json()["results"]] == [f"{vis}.txt"]
        else:
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), (viewer, vis)


EDITORS = {"owner", "editor", "staff"}


@pytest.mark.parametrize(
    "who", ["anonymous", "stranger", "member", "viewer", "editor", "staff", "staff_other", "owner"]
)
def test_upload_is_for_owner_editors_and_staff(world, api_client, client_for, who):
    people, projects = world
    project = projects["members"]
    client = api_client if who == "anonymous" else client_for(people[who])
    before = ProjectFile.objects.count()
    response = client.post(
        f"{BASE}/{project.pk}/files/", {"file": upload("bracket.stl", b"solid x\nendsolid x\n")}, format="multipart"
    )
    if who in EDITORS:
        assert response.status_code == 201, response.content
        assert ProjectFile.objects.count() == before + 1
        return
    expected = {"anonymous": 401, "stranger": 404, "staff_other": 404}.get(who, 403)
    assert response.status_code == expected, (who, response.content)
    assert ProjectFile.objects.count() == before
    if expected == 403:
        assert response.json()["code"] == "not_project_editor"


def test_upload_stores_under_a_generated_name_and_keeps_the_original_name(world, client_for, media):
    people, projects = world
    project = projects["private"]
    body = b"G1 X10 Y10\nG1 X20 Y20\n"
    response = client_for(people["editor"]).post(
        f"{BASE}/{project.pk}/files/", {"file": upload("Bracket v2.gcode", body)}, format="multipart"
    )
    assert response.status_code == 201
    data = response.json()
    row = ProjectFile.objects.get(pk=data["id"])
    assert (data["name"], data["size"], data["uploaded_by"]["id"]) == (
        "Bracket v2.gcode",
        len(body),
        people["editor"].pk,
    )
    assert GENERATED.match(row.file.name) and row.file.name.endswith(".gcode")
    assert "Bracket" not in row.file.name and data["url"].endswith(row.file.name)
    with default_storage.open(row.file.name) as stored:
        assert stored.read() == body


@pytest.mark.parametrize(
    ("client_name", "shown"),
    [
        ("../../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/var/www/html/shell.txt", "shell.txt"),
        ("notes\x00.txt", "notes.txt"),
        ("sub/dir/../../evil.stl", "evil.stl"),
    ],
)
def test_path_traversal_names_never_reach_the_storage_path(world, client_for, media, client_name, shown):
    people, projects = world
    project = projects["members"]
    row = file_services.project_file_add(
        actor=people["owner"], project=project, uploaded=raw_named(client_name, b"harmless text")
    )
    assert row.name == shown
    assert GENERATED.match(row.file.name)
    stored = (media / row.file.name).resolve()
    assert stored.is_relative_to(media.resolve()) and stored.read_bytes() == b"harmless text"
    assert not (media.parent / "etc").exists()


@pytest.mark.parametrize("client_name", ["..", "///", "\x00\x01", " . "])
def test_names_that_clean_to_nothing_are_refused(world, client_for, client_name):
    people, projects = world
    with pytest.raises(file_services.ValidationError):
        file_services.project_file_add(
            actor=people["owner"], project=projects["members"], uploaded=raw_named(client_name, b"x")
        )
    assert not ProjectFile.objects.filter(project=projects["members"]).exclude(name="members.txt").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),  # a Windows program called .png
        ("model.stl", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),  # a Linux program called .stl
        ("readme.txt", b"#!/bin/sh\nrm -rf /\n"),  # a script
        ("picture.jpg", b"<?php system($_GET['c']); ?>"),  # text called .jpg
        ("manual.pdf", b"not a pdf at all"),
        ("index.html", b"<script>alert(1)</script>"),
        ("setup.EXE", b"just bytes"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # a PNG signature with no image behind it
    ],
)
def test_renamed_binaries_and_active_content_are_refused(world, client_for, name, content):
    people, projects = world
    project = projects["members"]
    response = client_for(people["owner"]).post(
        f"{BASE}/{project.pk}/files/", {"file": upload(name, content)}, format="multipart"
    )
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_file"), name
    assert ProjectFile.objects.filter(project=project).count() == 1  # only the fixture's file


def test_real_images_and_pdfs_under_their_names_are_accepted(world, client_for):
    people, projects = world
    client = client_for(people["owner"])
    project = projects["members"]
    for name, content in (("render.png", image_bytes()), ("spec.pdf", b"%PDF-1.7\n%...\n"), ("cut.svg", b"<svg/>")):
        response = client.post(f"{BASE}/{project.pk}/files/", {"file": upload(name, content)}, format="multipart")
        assert response.status_code == 201, (name, response.content)


def test_oversize_empty_and_missing_files_are_refused_and_nothing_is_written(world, client_for, settings, media):
    people, projects = world
    project = projects["members"]
    client = client_for(people["owner"])
    settings.UPLOAD_MAX_MB = 1
    big = upload("big.stl", b"x" * (1024 * 1024 + 1))
    too_large = client.post(f"{BASE}/{project.pk}/files/", {"file": big}, format="multipart")
    assert (too_large.status_code, too_large.json()["code"]) == (413, "too_large")
    empty = client.post(f"{BASE}/{project.pk}/files/", {"file": upload("empty.txt", b"")}, format="multipart")
    assert empty.status_code == 400 and "file" in empty.json()["errors"]
    missing = client.post(f"{BASE}/{project.pk}/files/", {"note": "no file"}, format="json")
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    assert ProjectFile.objects.filter(project=project).count() == 1
    assert not (media / "projects").exists()


def test_a_project_holds_a_bounded_number_of_files(world, client_for, monkeypatch):
    people, projects = world
    project = projects["members"]
    monkeypatch.setattr(file_services, "MAX_FILES_PER_PROJECT", 2)
    client = client_for(people["owner"])
    assert (
        client.post(f"{BASE}/{project.pk}/files/", {"file": upload("a.txt", b"a")}, format="multipart").status_code
        == 201
    )
    refused = client.post(f"{BASE}/{project.pk}/files/", {"file": upload("b.txt", b"b")}, format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (409, "too_many_files")
    assert ProjectFile.objects.filter(project=project).count() == 2


def test_delete_removes_the_row_and_the_stored_file_after_commit(
    world, client_for, media, django_capture_on_commit_callbacks
):
    people, projects = world
    project = projects["members"]
    row = file_services.project_file_add(actor=people["owner"], project=project, uploaded=upload("a.txt", b"abc"))
    path = media / row.file.name
    assert path.exists()
    url = f"{BASE}/{project.pk}/files/{row.pk}/"
    refused = client_for(people["viewer"]).delete(url)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_project_editor")
    assert client_for(people["staff_other"]).delete(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(people["editor"]).delete(url).status_code == 204
    assert not ProjectFile.objects.filter(pk=row.pk).exists() and not path.exists()
    assert client_for(people["owner"]).delete(url).status_code == 404
    other_project_file = ProjectFileFactory(project=projects["public"])
    wrong_path = client_for(people["owner"]).delete(f"{BASE}/{project.pk}/files/{other_project_file.pk}/")
    assert wrong_path.status_code == 404 and ProjectFile.objects.filter(pk=other_project_file.pk).exists()


def test_file_list_costs_the_same_for_one_or_a_hundred_rows(world, api_client, django_assert_num_queries):
    people, projects = world
    project = projects["public"]
    for n in range(12):
        ProjectFileFactory(project=project, uploaded_by=UserFactory(), name=f"part-{n:02d}.stl")
    counts = {}
    for page_size in (1, 100):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = api_client.get(f"{BASE}/{project.pk}/files/", {"page_size": page_size})
        assert response.status_code == 200
        counts[page_size] = len(captured)
    assert counts[1] == counts[100]
    with django_assert_num_queries(counts[100]):
        rows = api_client.get(f"{BASE}/{project.pk}/files/", {"page_size": 100}).json()
    assert rows["count"] == 13 and len(rows["results"]) == 13


# --- cover images ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_cover_accepts_real_images_under_a_generated_name(world, client_for, fmt):
    people, projects = world
    project = projects["public"]
    response = client_for(people["staff"]).post(
        f"{BASE}/{project.pk}/cover/", {"image": upload("../../my cover.bin", image_bytes(fmt))}, format="multipart"
    )
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert re.fullmatch(r"projects/covers/[0-9a-f]{32}\.(png|jpg|gif|webp)", project.cover_image.name)
    assert response.json()["cover_image"].endswith(project.cover_image.name)


def test_replacing_the_cover_removes_the_old_file_after_commit(
    world, client_for, media, django_capture_on_commit_callbacks
):
    people, projects = world
    project = projects["members"]
    first = file_services.project_cover_set(
        actor=people["owner"], project=project, uploaded=upload("a.png", image_bytes())
    )
    old_path = media / first.cover_image.name
    with django_capture_on_commit_callbacks(execute=True):
        second = file_services.project_cover_set(
            actor=people["owner"], project=project, uploaded=upload("b.png", image_bytes("JPEG"))
        )
    assert not old_path.exists() and (media / second.cover_image.name).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cover.png", b"MZ\x90\x00" + b"\x00" * 300),  # a program called .png
        ("cover.jpg", b"<?php echo 1; ?>"),  # text called .jpg
        ("cover.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # a PNG signature and garbage
        ("cover.bmp", None),  # a real image in a format covers do not take
        ("cover.tiff", None),
    ],
)
def test_cover_refuses_what_is_not_a_cover_image(world, client_for, name, content):
    people, projects = world
    project = projects["members"]
    if content is None:
        content = image_bytes("BMP" if name.endswith("bmp") else "TIFF")
    response = client_for(people["owner"]).post(
        f"{BASE}/{project.pk}/cover/", {"image": upload(name, content)}, format="multipart"
    )
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_file"), name
    project.refresh_from_db()
    assert not project.cover_image


def test_cover_with_a_corrupt_chunk_is_refused_by_verify(world):
    people, projects = world
    good = image_bytes()
    corrupt = good[:-20] + bytes(b ^ 0xFF for b in good[-20:-12]) + good[-12:]  # breaks the IDAT checksum
    with pytest.raises(file_services.UnsupportedMediaType):
        file_services.project_cover_set(
            actor=people["owner"], project=projects["members"], uploaded=upload("c.png", corrupt)
        )


@pytest.mark.parametrize(("width", "height"), [(10_000, 5_000), (100_000, 100_000)])
def test_decompression_bombs_are_refused_before_decoding(world, client_for, width, height):
    people, projects = world
    project = projects["members"]
    bomb = png_header_only(width, height)
    assert len(bomb) < 200
    cover = client_for(people["owner"]).post(
        f"{BASE}/{project.pk}/cover/", {"image": upload("bomb.png", bomb)}, format="multipart"
    )
    assert (cover.status_code, cover.json()["code"]) == (413, "too_many_pixels")
    as_file = client_for(people["owner"]).post(
        f"{BASE}/{project.pk}/files/", {"file": upload("bomb.png", bomb)}, format="multipart"
    )
    assert (as_file.status_code, as_file.json()["code"]) == (413, "too_many_pixels")
    project.refresh_from_db()
    assert not project.cover_image and ProjectFile.objects.filter(project=project).count() == 1


def test_cover_is_for_owner_editors_and_staff_and_checked_before_the_file(world, client_for, api_client):
    people, projects = world
    project = projects["members"]
    url = f"{BASE}/{project.pk}/cover/"
    assert api_client.post(url, {"image": upload("a.png", image_bytes())}, format="multipart").status_code == 401
    refused = client_for(people["viewer"]).post(url, {"image": upload("a.png", b"junk")}, format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_project_editor")
    assert client_for(people["staff_other"]).post(url, {}, format="multipart").status_code == 404
    assert client_for(people["owner"]).get(url).status_code == 405
    with pytest.raises(PermissionDenied):
        file_services.project_cover_set(actor=people["member"], project=project, uploaded=None)
    assert Project.objects.get(pk=project.pk).cover_image.name == ""
