"""Equipment API: reads for members, writes for managers, status changes with history, photo checks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from makerspace.models import Equipment, EquipmentStatusChange
from makerspace.services.equipment import equipment_status_change
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/makerspace/equipment/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def staff_client(client_for, makerspace, role="manager"):
    client = client_for(roles=["makerspace_admin"])
    f.MemberFactory(user=client.user, makerspace=makerspace, role=role)
    return client


def test_signed_in_users_read_active_machines_of_a_makerspace(client_for):
    space = f.MakerspaceFactory()
    skill = f.SkillFactory(makerspace=space)
    f.EquipmentFactory(makerspace=space, name="Printer", required_skills=[skill])
    f.EquipmentFactory(makerspace=space, name="Retired", active=False)
    f.EquipmentFactory(name="Elsewhere")

    rows = client_for().get(URL, {"makerspace": space.pk}).json()["results"]
    member = client_for(user=f.MemberFactory(makerspace=space).user)
    member_rows = member.get(URL, {"makerspace": space.pk}).json()["results"]

    assert [row["name"] for row in rows] == ["Printer"]
    # A stranger sees the public facts only; a member of the space sees the whole record.
    assert set(rows[0]) == {"id", "makerspace", "name", "slug", "equipment_type", "status"}
    assert member_rows[0]["required_skills"][0]["id"] == skill.pk
    assert staff_client(client_for, space).get(URL, {"makerspace": space.pk}).json()["count"] == 2


def test_manager_creates_machine_with_skills(client_for):
    space = f.MakerspaceFactory()
    skill = f.SkillFactory(makerspace=space)
    foreign_skill = f.SkillFactory()
    manager = staff_client(client_for, space)
    body = {
        "makerspace": space.pk,
        "name": "Shapeoko 4",
        "equipment_type": "cnc",
        "hourly_rate": "450.00",
        "specs": {"work_area_mm": [838, 838, 95]},
        "required_skills": [skill.pk],
    }

    created = manager.post(URL, body, format="json")

    assert created.status_code == 201, created.content
    machine = Equipment.objects.get(pk=created.json()["id"])
    assert machine.slug == "shapeoko-4" and list(machine.required_skills.all()) == [skill]
    assert machine.status_changes.get().to_status == "available"
    assert manager.post(URL, body, format="json").json()["code"] == "duplicate"
    assert (
        manager.post(URL, {**body, "name": "B", "required_skills": [foreign_skill.pk]}, format="json").status_code
        == 400
    )
    assert manager.post(URL, {**body, "name": "C", "hourly_rate": "-5"}, format="json").status_code == 400
    assert manager.post(URL, {**body, "name": "D", "specs": [1, 2]}, format="json").status_code == 400
    assert manager.post(URL, {**body, "name": "E", "equipment_type": "toaster"}, format="json").status_code == 400
    assert (
        staff_client(client_for, space, role="staff").post(URL, {**body, "name": "F"}, format="json").status_code == 403
    )


def test_manager_of_a_cannot_write_machines_of_b(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    machine_b = f.EquipmentFactory(makerspace=b)
    manager_a = staff_client(client_for, a)

    assert manager_a.post(URL, {"makerspace": b.pk, "name": "Sneaky"}, format="json").status_code == 403
    assert manager_a.patch(f"{URL}{machine_b.pk}/", {"name": "Mine"}, format="json").status_code == 403
    assert manager_a.post(f"{URL}{machine_b.pk}/status/", {"status": "offline"}, format="json").status_code == 403
    machine_b.refresh_from_db()
    assert (machine_b.name, machine_b.status) != ("Mine", "offline")


def test_status_change_through_service_records_history(client_for):
    machine = f.EquipmentFactory()
    staff = staff_client(client_for, machine.makerspace, role="staff")

    response = staff.post(f"{URL}{machine.pk}/status/", {"status": "offline", "reason": "moving"}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "offline"
    change = EquipmentStatusChange.objects.get(equipment=machine)
    assert (change.from_status, change.to_status, change.reason, change.actor_id) == (
        "available",
        "offline",
        "moving",
        staff.user.pk,
    )
    assert staff.post(f"{URL}{machine.pk}/status/", {"status": "broken"}, format="json").status_code == 400
    assert equipment_status_change(equipment=machine, to_status="offline", actor=staff.user) is None
    history = staff.get(f"{URL}{machine.pk}/status/").json()
    assert history["count"] == 1
    assert client_for().post(f"{URL}{machine.pk}/status/", {"status": "available"}, format="json").status_code == 403


def test_patch_cannot_set_status_directly(client_for):
    machine = f.EquipmentFactory()
    manager = staff_client(client_for, machine.makerspace)
    manager.patch(f"{URL}{machine.pk}/", {"status": "offline", "location": "Bay 9"}, format="json")
    machine.refresh_from_db()
    assert (machine.status, machine.location) == ("available", "Bay 9")


def test_photo_upload_checked_by_content(client_for, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    machine = f.EquipmentFactory()
    manager = staff_client(client_for, machine.makerspace)

    fake = SimpleUploadedFile("photo.png", b"<?php echo 1; ?>", content_type="image/png")
    refused = manager.patch(f"{URL}{machine.pk}/", {"photo": fake}, format="multipart")
    assert refused.status_code == 415 and refused.json()["code"] == "unsupported_media_type"

    real = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    ok = manager.patch(f"{URL}{machine.pk}/", {"photo": real}, format="multipart")
    assert ok.status_code == 200 and ok.json()["photo"]


def test_equipment_list_has_fixed_query_count(client_for, django_assert_max_num_queries):
    space = f.MakerspaceFactory()
    skills = f.SkillFactory.create_batch(2, makerspace=space)
    for _ in range(8):
        f.EquipmentFactory(makerspace=space, required_skills=skills)
    client = client_for()
    with django_assert_max_num_queries(5):
        assert len(client.get(URL, {"page_size": 1}).json()["results"]) == 1
    with django_assert_max_num_queries(5):
        assert len(client.get(URL, {"page_size": 100, "makerspace": space.pk}).json()["results"]) == 8


def test_status_history_has_fixed_query_count(client_for, django_assert_max_num_queries):
    machine = f.EquipmentFactory()
    staff = staff_client(client_for, machine.makerspace, role="staff")
    for status in ("offline", "available") * 4:
        equipment_status_change(equipment=machine, to_status=status, actor=staff.user)
    url = f"{URL}{machine.pk}/status/"
    with django_assert_max_num_queries(6):
        assert len(staff.get(url, {"page_size": 1}).json()["results"]) == 1
    with django_assert_max_num_queries(6):
        assert len(staff.get(url, {"page_size": 100}).json()["results"]) == 8


def test_lone_surrogate_in_equipment_json_is_400_not_500(client_for):
    """Regression (fuzzing): these views listed DRF's plain JSONParser; a lone surrogate echoed in the
    "not a valid choice" error could not be encoded → 500."""
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space, equipment_type="cnc")
    manager = staff_client(client_for, space, role="admin")
    raw = '{"makerspace": ' + str(space.pk) + ', "name": "X", "equipment_type": "\\ud800"}'
    created = manager.post(URL, data=raw, content_type="application/json")
    patched = manager.patch(
        f"{URL}{machine.pk}/", data='{"equipment_type": "\\ud800"}', content_type="application/json"
    )
    for response in (created, patched):
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "parse_error"
    assert Equipment.objects.filter(makerspace=space).count() == 1
    assert Equipment.objects.get(pk=machine.pk).equipment_type == "cnc"
