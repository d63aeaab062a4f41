"""Admin screens: tenant-scoped querysets and service-backed actions."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import Client

from makerspace.models import Equipment, Member, MemberEvent, MemberSkill
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_spaces(make_user):
    a, b = f.MakerspaceFactory(name="Alpha"), f.MakerspaceFactory(name="Beta")
    manager = make_user("manager_a", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=a, role="manager")
    return a, b, manager


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_querysets_are_scoped_to_managed_makerspaces(rf, two_spaces):
    a, b, manager = two_spaces
    f.EquipmentFactory(makerspace=a)
    f.EquipmentFactory(makerspace=b)
    f.MemberFactory(makerspace=b)
    request = rf.get("/admin/")
    request.user = manager
    from makerspace.models import Makerspace

    for model, path in ((Makerspace, "pk"), (Equipment, "makerspace"), (Member, "makerspace")):
        queryset = site._registry[model].get_queryset(request)
        assert set(queryset.values_list(f"{path}" if path == "pk" else f"{path}_id", flat=True)) == {a.pk}


def test_manager_of_a_gets_404_or_403_on_b_in_admin(two_spaces):
    a, b, manager = two_spaces
    machine_b = f.EquipmentFactory(makerspace=b)
    client = login(manager)

    assert client.get("/admin/makerspace/equipment/").status_code == 200
    assert client.get(f"/admin/makerspace/equipment/{machine_b.pk}/change/").status_code in (302, 403, 404)
    listing = client.get("/admin/makerspace/makerspace/").content.decode()
    assert "Alpha" in listing and "Beta" not in listing


def test_platform_admin_sees_everything(make_user, two_spaces):
    admin_user = make_user("platform", roles=["admin"])
    response = login(admin_user).get("/admin/makerspace/makerspace/")
    assert "Alpha" in response.content.decode() and "Beta" in response.content.decode()


def test_approve_action_calls_service_and_respects_scope(two_spaces):
    a, b, manager = two_spaces
    pending_a = f.MemberFactory(makerspace=a, status="pending")
    pending_b = f.MemberFactory(makerspace=b, status="pending")
    client = login(manager)

    client.post(
        "/admin/makerspace/member/",
        {"action": "approve", "_selected_action": [pending_a.pk, pending_b.pk]},
    )

    pending_a.refresh_from_db()
    pending_b.refresh_from_db()
    assert pending_a.status == "active" and pending_b.status == "pending"
    assert MemberEvent.objects.filter(member=pending_a, actor=manager, to_status="active").exists()


def test_admin_add_member_skill_grants_through_service(two_spaces):
    a, _, manager = two_spaces
    member = f.MemberFactory(makerspace=a)
    skill = f.SkillFactory(makerspace=a)
    response = login(manager).post(
        "/admin/makerspace/memberskill/add/",
        {"member": member.pk, "skill": skill.pk, "expires_at_0": "", "expires_at_1": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    grant = MemberSkill.objects.get(member=member, skill=skill)
    assert grant.granted_by == manager


def test_changelists_render_for_every_registered_makerspace_model(make_user):
    f.ReservationFactory()
    f.MemberEventFactory()
    f.SubscriptionFactory()
    f.MemberSkillFactory()
    f.EquipmentStatusChangeFactory()
    client = login(make_user("root", roles=["super_admin"]))
    for model in site._registry:
        if model._meta.app_label != "makerspace":
            continue
        url = f"/admin/makerspace/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "x' OR 1=1 --"}).status_code == 200, url


def test_suspend_action_asks_for_a_reason_then_suspends(two_spaces):
    a, _, manager = two_spaces
    member = f.MemberFactory(makerspace=a)
    client = login(manager)
    url = "/admin/makerspace/member/"

    page = client.post(url, {"action": "suspend", "_selected_action": [member.pk]})
    assert page.status_code == 200 and b"reason" in page.content
    member.refresh_from_db()
    assert member.status == "active"

    client.post(url, {"action": "suspend", "_selected_action": [member.pk], "apply": "1", "reason": "Unsafe use"})
    member.refresh_from_db()
    assert (member.status, member.status_reason) == ("suspended", "Unsafe use")


def test_grant_skill_action_grants_only_skills_of_managed_makerspaces(two_spaces):
    a, b, manager = two_spaces
    member = f.MemberFactory(makerspace=a)
    skill_a, skill_b = f.SkillFactory(makerspace=a), f.SkillFactory(makerspace=b)
    client = login(manager)
    url = "/admin/makerspace/member/"

    client.post(url, {"action": "grant_skill", "_selected_action": [member.pk], "apply": "1", "skill": skill_b.pk})
    assert not MemberSkill.objects.filter(member=member).exists()

    client.post(url, {"action": "grant_skill", "_selected_action": [member.pk], "apply": "1", "skill": skill_a.pk})
    assert MemberSkill.objects.get(member=member).skill == skill_a


def test_admin_equipment_photo_is_checked_by_content(two_spaces, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    a, _, manager = two_spaces
    body = {
        "makerspace": a.pk,
        "name": "Bench",
        "slug": "bench",
        "equipment_type": "electronics_bench",
        "hourly_rate": "50.00",
        "currency": "INR",
        "specs": "{}",
        "active": "on",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    client = login(manager)

    fake = SimpleUploadedFile("bench.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    refused = client.post("/admin/makerspace/equipment/add/", {**body, "photo": fake})
    assert refused.status_code == 200 and not Equipment.objects.filter(slug="bench").exists()

    png = SimpleUploadedFile("bench.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
    created = client.post("/admin/makerspace/equipment/add/", {**body, "photo": png})
    assert created.status_code == 302, created.content[:3000]
    assert Equipment.objects.get(slug="bench").photo
