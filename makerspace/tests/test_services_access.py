"""member_can_use_equipment: the shared access check of reservations and usage sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from makerspace.services.access import member_can_use_equipment
from makerspace.tests import factories as f
from makrx.errors import ConflictError

pytestmark = pytest.mark.django_db


@pytest.fixture
def laser():
    skill = f.SkillFactory(name="Laser safety", level=2)
    return f.EquipmentFactory(makerspace=skill.makerspace, equipment_type="laser_cutter", required_skills=[skill])


def trained_member(laser, **kwargs):
    member = f.MemberFactory(makerspace=laser.makerspace, **kwargs)
    f.MemberSkillFactory(member=member, skill=laser.required_skills.get())
    return member


def code_of(member, equipment, at=None) -> str | None:
    try:
        member_can_use_equipment(member=member, equipment=equipment, at=at or timezone.now())
    except ConflictError as exc:
        return exc.code
    return None


def test_trained_active_member_may_use(laser):
    assert code_of(trained_member(laser), laser) is None


@pytest.mark.parametrize("status", ["pending", "suspended", "expired", "rejected"])
def test_inactive_membership(laser, status):
    assert code_of(trained_member(laser, status=status), laser) == "membership_inactive"


def test_membership_of_another_makerspace(laser):
    outsider = f.MemberFactory()
    assert code_of(outsider, laser) == "membership_inactive"
    assert code_of(None, laser) == "membership_inactive"


def test_missing_revoked_expired_and_lower_level_skills(laser):
    member = f.MemberFactory(makerspace=laser.makerspace)
    assert code_of(member, laser) == "skill_required"

    required = laser.required_skills.get()
    lower = f.SkillFactory(makerspace=laser.makerspace, name=required.name, level=1)
    f.MemberSkillFactory(member=member, skill=lower)
    assert code_of(member, laser) == "skill_required"

    grant = f.MemberSkillFactory(member=member, skill=required, revoked_at=timezone.now())
    assert code_of(member, laser) == "skill_required"

    grant.revoked_at, grant.expires_at = None, timezone.now() + timedelta(hours=1)
    grant.save()
    assert code_of(member, laser) is None
    assert code_of(member, laser, at=timezone.now() + timedelta(hours=2)) == "skill_required"


def test_same_skill_name_of_another_makerspace_does_not_count(laser):
    member = f.MemberFactory(makerspace=laser.makerspace)
    elsewhere = f.SkillFactory(name="Laser safety", level=5)
    # A grant row pointing at a foreign skill (the grant service refuses this; the check must too).
    f.MemberSkillFactory(member=member, skill=elsewhere)
    assert code_of(member, laser) == "skill_required"


def test_plan_coverage(laser):
    member = trained_member(laser)
    member.plan = f.MembershipPlanFactory(makerspace=laser.makerspace, equipment_types=["3d_printer"])
    assert code_of(member, laser) == "plan_limit"

    member.plan.equipment_types = ["3d_printer", "laser_cutter"]
    assert code_of(member, laser) is None

    member.plan.equipment_types = []
    assert code_of(member, laser) is None

    member.plan.active = False
    assert code_of(member, laser) == "plan_limit"


def test_staff_roles_are_not_limited_by_plans_but_need_skills(laser):
    staff = f.MemberFactory(makerspace=laser.makerspace, role="staff")
    staff.plan = f.MembershipPlanFactory(makerspace=laser.makerspace, equipment_types=["3d_printer"])
    assert code_of(staff, laser) == "skill_required"
    f.MemberSkillFactory(member=staff, skill=laser.required_skills.get())
    assert code_of(staff, laser) is None


def test_check_costs_a_fixed_number_of_queries(laser, django_assert_max_num_queries):
    member = trained_member(laser)
    for _ in range(5):
        extra = f.SkillFactory(makerspace=laser.makerspace)
        laser.required_skills.add(extra)
        f.MemberSkillFactory(member=member, skill=extra)
    with django_assert_max_num_queries(2):
        assert code_of(member, laser) is None
