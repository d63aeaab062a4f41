"""Who may act, through the Django admin (signed in as the staff user): the same rules as the API."""

from __future__ import annotations

import pytest
from django.test import Client

from makerspace.models import Closure, Equipment, Makerspace, Member, MembershipPlan, MemberSkill, Skill, Subscription
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db

ADMIN = "/admin/makerspace"
# The member screen's read-only inlines (skills, history) still post their management forms.
MEMBER_INLINES = {
    "skills-TOTAL_FORMS": "0",
    "skills-INITIAL_FORMS": "0",
    "events-TOTAL_FORMS": "0",
    "events-INITIAL_FORMS": "0",
    "skill_events-TOTAL_FORMS": "0",
    "skill_events-INITIAL_FORMS": "0",
}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def space(make_user):
    """Makerspace A with a manager and an admin who both work in the Django admin, and makerspace B."""
    a, b = f.MakerspaceFactory(name="Alpha"), f.MakerspaceFactory(name="Beta")
    manager = make_user("manager_a", roles=["makerspace_admin"])
    admin_user = make_user("admin_a", roles=["makerspace_admin"])
    return {
        "A": a,
        "B": b,
        "manager": f.MemberFactory(user=manager, makerspace=a, role="manager"),
        "admin": f.MemberFactory(user=admin_user, makerspace=a, role="admin"),
        "manager_client": login(manager),
        "admin_client": login(admin_user),
    }


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.wsgi_request._messages)


# --- the admin role ------------------------------------------------------------------------------


def test_manager_cannot_add_an_admin_member(space, make_user):
    newcomer = make_user("newcomer")
    body = {"user": newcomer.pk, "makerspace": space["A"].pk, "role": "admin", **MEMBER_INLINES}
    response = space["manager_client"].post(f"{ADMIN}/member/add/", body)
    # The form does not offer the role (a forged post is an invalid choice); the service would refuse it anyway.
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not Member.objects.filter(user=newcomer).exists()

    body["role"] = "member"
    assert space["manager_client"].post(f"{ADMIN}/member/add/", body).status_code == 302
    assert Member.objects.get(user=newcomer).role == "member"


def test_space_admin_adds_an_admin_member(space, make_user):
    newcomer = make_user("newcomer")
    body = {"user": newcomer.pk, "makerspace": space["A"].pk, "role": "admin", **MEMBER_INLINES}
    space["admin_client"].post(f"{ADMIN}/member/add/", body)
    assert Member.objects.get(user=newcomer).role == "admin"


def test_manager_cannot_grant_admin_or_demote_an_admin_in_the_change_form(space):
    member = f.MemberFactory(makerspace=space["A"])
    client = space["manager_client"]
    client.post(f"{ADMIN}/member/{member.pk}/change/", {"role": "admin", **MEMBER_INLINES})
    client.post(f"{ADMIN}/member/{space['admin'].pk}/change/", {"role": "member", **MEMBER_INLINES})
    member.refresh_from_db()
    space["admin"].refresh_from_db()
    assert (member.role, space["admin"].role) == ("member", "admin")

    space["admin_client"].post(f"{ADMIN}/member/{member.pk}/change/", {"role": "admin", **MEMBER_INLINES})
    member.refresh_from_db()
    assert member.role == "admin"


def test_manager_cannot_change_their_own_role_in_the_admin(space):
    own = space["manager"]
    space["manager_client"].post(f"{ADMIN}/member/{own.pk}/change/", {"role": "staff", **MEMBER_INLINES})
    own.refresh_from_db()
    assert own.role == "manager"


# --- actions on admins and on oneself --------------------------------------------------------------


def test_manager_cannot_suspend_an_admin_or_themselves_with_the_action(space):
    member = f.MemberFactory(makerspace=space["A"])
    targets = [space["admin"].pk, space["manager"].pk, member.pk]
    space["manager_client"].post(
        f"{ADMIN}/member/", {"action": "suspend", "_selected_action": targets, "apply": "1", "reason": "test"}
    )
    statuses = dict(Member.objects.filter(pk__in=targets).values_list("pk", "status"))
    assert statuses == {space["admin"].pk: "active", space["manager"].pk: "active", member.pk: "suspended"}


def test_manager_cannot_reject_a_pending_admin_with_the_action(space):
    pending_admin = f.MemberFactory(makerspace=space["A"], role="admin", status="pending")
    space["manager_client"].post(f"{ADMIN}/member/", {"action": "reject", "_selected_action": [pending_admin.pk]})
    pending_admin.refresh_from_db()
    assert pending_admin.status == "pending"


def test_staff_cannot_grant_themselves_a_skill_in_the_admin(space):
    skill = f.SkillFactory(makerspace=space["A"])
    own = space["manager"]
    client = space["manager_client"]
    client.post(
        f"{ADMIN}/memberskill/add/", {"member": own.pk, "skill": skill.pk, "expires_at_0": "", "expires_at_1": ""}
    )
    client.post(
        f"{ADMIN}/member/", {"action": "grant_skill", "_selected_action": [own.pk], "apply": "1", "skill": skill.pk}
    )
    assert not MemberSkill.objects.filter(member=own).exists()


def test_staff_cannot_revoke_their_own_skill_in_the_admin(space):
    own = space["manager"]
    grant = f.MemberSkillFactory(member=own, skill=f.SkillFactory(makerspace=space["A"]))
    space["manager_client"].post(f"{ADMIN}/memberskill/", {"action": "revoke", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_member_plan_is_not_edited_on_the_member_form(space):
    member = f.MemberFactory(makerspace=space["A"])
    plan = f.MembershipPlanFactory(makerspace=space["A"])
    space["manager_client"].post(
        f"{ADMIN}/member/{member.pk}/change/", {"role": "member", "plan": plan.pk, **MEMBER_INLINES}
    )
    member.refresh_from_db()
    assert member.plan_id is None  # plans follow subscriptions


def test_manager_cannot_subscribe_themselves(space):
    plan = f.MembershipPlanFactory(makerspace=space["A"])
    body = {"member": space["manager"].pk, "plan": plan.pk, "starts_at_0": "2030-01-01", "starts_at_1": "10:00"}
    space["manager_client"].post(f"{ADMIN}/subscription/add/", body)
    assert not Subscription.objects.exists()


# --- forms save through the services ---------------------------------------------------------------


def test_plan_skill_and_machine_forms_save_through_services(space):
    client = space["manager_client"]
    plan = {
        "makerspace": space["A"].pk,
        "name": "Night owl",
        "description": "",
        "price": "100.00",
        "currency": "INR",
        "billing_period": "month",
        "included_hours": "5",
        "equipment_types": '["3d_printer"]',
        # The form's defaults, as a browser posts them.
        "allow_overage": "on",
        "trial_days": "0",
    }
    assert client.post(f"{ADMIN}/membershipplan/add/", plan).status_code == 302
    assert MembershipPlan.objects.get(name="Night owl").makerspace == space["A"]
    skill = {"makerspace": space["A"].pk, "name": "Soldering", "level": "1", "description": ""}
    assert client.post(f"{ADMIN}/skill/add/", skill).status_code == 302
    assert Skill.objects.get(name="Soldering").makerspace == space["A"]

    # Makerspace B is not a choice: the form refuses it, nothing is created there.
    client.post(f"{ADMIN}/skill/add/", {**skill, "makerspace": space["B"].pk, "name": "Elsewhere"})
    assert not Skill.objects.filter(name="Elsewhere").exists()


def test_opening_hours_inline_goes_through_the_service(space):
    a = space["A"]
    a.opening_hours.all().delete()
    body = {
        "name": a.name,
        "slug": a.slug,
        "description": a.description,
        "timezone": a.timezone,
        "address": a.address,
        "contact_email": a.contact_email,
        "contact_phone": a.contact_phone,
        "join_policy": a.join_policy,
        "active": "on",
        "opening_hours-TOTAL_FORMS": "2",
        "opening_hours-INITIAL_FORMS": "0",
        "opening_hours-0-weekday": "0",
        "opening_hours-0-opens": "09:00",
        "opening_hours-0-closes": "12:00",
        "opening_hours-1-weekday": "0",
        "opening_hours-1-opens": "11:00",
        "opening_hours-1-closes": "13:00",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }
    refused = space["manager_client"].post(f"{ADMIN}/makerspace/{a.pk}/change/", body)
    assert refused.status_code == 302 and not a.opening_hours.exists()  # overlap refused by opening_hours_set

    body["opening_hours-1-opens"] = "12:00"
    saved = space["manager_client"].post(f"{ADMIN}/makerspace/{a.pk}/change/", body)
    assert saved.status_code == 302 and a.opening_hours.count() == 2


# --- scoped filters and autocompletes --------------------------------------------------------------


def test_list_filters_offer_only_the_managers_makerspaces(space):
    f.EquipmentFactory(makerspace=space["A"], name="Alpha printer")
    f.EquipmentFactory(makerspace=space["B"], name="Beta laser")
    f.ReservationFactory(equipment=Equipment.objects.get(name="Alpha printer"))
    client = space["manager_client"]
    for screen in ("equipment", "member", "skill", "membershipplan", "reservation", "maintenanceticket"):
        page = client.get(f"{ADMIN}/{screen}/").content.decode()
        assert "Beta" not in page, screen
    reservations = client.get(f"{ADMIN}/reservation/").content.decode()
    assert "Alpha printer" in reservations and "Beta laser" not in reservations


def test_autocomplete_lists_only_the_managers_makerspaces_and_machines(space):
    f.EquipmentFactory(makerspace=space["A"], name="Alpha printer")
    f.EquipmentFactory(makerspace=space["B"], name="Beta laser")
    client = space["manager_client"]
    spaces = client.get(
        "/admin/autocomplete/", {"app_label": "makerspace", "model_name": "equipment", "field_name": "makerspace"}
    ).json()
    assert [row["text"] for row in spaces["results"]] == ["Alpha"]
    machines = client.get(
        "/admin/autocomplete/",
        {"app_label": "makerspace", "model_name": "reservation", "field_name": "equipment", "term": "a"},
    ).json()
    assert [row["text"] for row in machines["results"]] == ["Alpha printer"]


def test_platform_admin_filters_list_every_makerspace(make_user):
    f.MakerspaceFactory(name="Alpha")
    f.MakerspaceFactory(name="Beta")
    page = login(make_user("root", roles=["admin"])).get(f"{ADMIN}/equipment/").content.decode()
    assert "Alpha" in page and "Beta" in page


def test_only_platform_admins_add_makerspaces_in_the_admin(space, make_user):
    assert space["manager_client"].get(f"{ADMIN}/makerspace/add/").status_code == 403
    root = login(make_user("root", roles=["admin"]))
    body = {
        "name": "Gamma",
        "slug": "gamma",
        "description": "",
        "timezone": "Asia/Kolkata",
        "address": "",
        "contact_email": "",
        "contact_phone": "",
        "join_policy": "open",
        "active": "on",
        "opening_hours-TOTAL_FORMS": "1",
        "opening_hours-INITIAL_FORMS": "0",
        "opening_hours-0-weekday": "2",
        "opening_hours-0-opens": "10:00",
        "opening_hours-0-closes": "18:00",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }
    assert root.post(f"{ADMIN}/makerspace/add/", body).status_code == 302
    gamma = Makerspace.objects.get(slug="gamma")
    assert list(gamma.opening_hours.values_list("weekday", flat=True)) == [2]


def test_closures_are_added_and_deleted_through_the_services(space):
    client = space["manager_client"]
    body = {"makerspace": space["A"].pk, "starts_on": "2030-01-02", "ends_on": "2030-01-01", "reason": "x"}
    client.post(f"{ADMIN}/closure/add/", body)
    assert not Closure.objects.exists()  # ends before it starts: refused by closure_create
    client.post(f"{ADMIN}/closure/add/", {**body, "ends_on": "2030-01-03"})
    closure = Closure.objects.get()
    other = f.ClosureFactory(makerspace=space["B"])
    client.post(f"{ADMIN}/closure/", {"action": "delete_closures", "_selected_action": [closure.pk, other.pk]})
    assert list(Closure.objects.values_list("pk", flat=True)) == [other.pk]


def test_manager_sees_the_member_history_and_skills_tables(space, make_user):
    """Read-only inlines follow the parent screen's permission, not Django model permissions managers lack."""
    newcomer = make_user("historied")
    member = f.MemberFactory(user=newcomer, makerspace=space["A"], role="member", status="pending")
    from makerspace.services import members as member_services

    member_services.member_approve(member=member, actor=space["manager"].user, reason="welcome aboard")
    response = space["manager_client"].get(f"{ADMIN}/member/{member.pk}/change/")
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"], "no inline tables shown"
    history = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "events")
    assert [form.original.to_status for form in history] == ["active"]


def test_member_forms_offer_the_admin_role_only_to_space_admins(space):
    def role_choices(client, url):
        response = client.get(url)
        assert response.status_code == 200
        return {value for value, _ in response.context["adminform"].form.fields["role"].choices}

    manager_member = f.MemberFactory(makerspace=space["A"], role="member")
    url = f"{ADMIN}/member/{manager_member.pk}/change/"
    assert "admin" not in role_choices(space["manager_client"], f"{ADMIN}/member/add/")
    assert "admin" not in role_choices(space["manager_client"], url)
    assert {"member", "staff", "manager"} <= role_choices(space["manager_client"], url)
    assert "admin" in role_choices(space["admin_client"], f"{ADMIN}/member/add/")
    assert "admin" in role_choices(space["admin_client"], url)
