"""Who may use which machine: the one check reservations and usage sessions share."""

from __future__ import annotations

from datetime import datetime

from makerspace.models import Equipment, Member, MemberSkill
from makrx.auth.roles import MAKERSPACE_STAFF_ROLES
from makrx.errors import ConflictError


def missing_skills(*, member: Member, equipment: Equipment, at: datetime) -> list:
    """Required skills of the machine the member does not hold (active and unexpired) at ``at``.

    A grant of the same skill name at an equal or higher level satisfies a requirement.
    """
    required = list(equipment.required_skills.all())
    if not required:
        return []
    held = list(
        MemberSkill.objects.active(at)
        .filter(member=member)
        .values_list("skill__name", "skill__level", "skill__makerspace_id")
    )
    return [
        skill
        for skill in required
        if not any(
            name == skill.name and level >= skill.level and space == skill.makerspace_id for name, level, space in held
        )
    ]


def member_can_use_equipment(*, member: Member, equipment: Equipment, at: datetime) -> None:
    """Raise ConflictError unless this member may use this machine at ``at``.

    Codes: ``membership_inactive`` (not an active member of the machine's makerspace), ``skill_required``
    (a required skill is missing, revoked or expired), ``plan_limit`` (the member's plan does not cover
    the machine's type; staff roles are not limited by plans). Plan quotas (length, per week) belong to
    the reservation service.
    """
    if member is None or member.makerspace_id != equipment.makerspace_id or member.status != Member.Status.ACTIVE:
        raise ConflictError("An active membership of this makerspace is required.", code="membership_inactive")
    missing = missing_skills(member=member, equipment=equipment, at=at)
    if missing:
        names = ", ".join(str(skill) for skill in missing)
        raise ConflictError(f"This machine requires a skill you do not hold: {names}.", code="skill_required")
    plan = member.plan
    limited_by_plan = member.role not in MAKERSPACE_STAFF_ROLES and plan is not None
    if limited_by_plan and (not plan.active or not plan.covers_equipment_type(equipment.equipment_type)):
        raise ConflictError(
            f"Your plan {plan.name!r} does not cover {equipment.get_equipment_type_display()} machines.",
            code="plan_limit",
        )
