"""Who may use which machine: the one check reservations and usage sessions share.

``member_can_use_equipment`` is the only access function: every reservation path (single, recurring series,
waiting-list claim, staff booking for a member: all through ``reservations.book_locked``) and
``usage.usage_session_start`` call it. It combines, in this order:

1. ``membership_inactive``: an active membership of the machine's makerspace;
2. ``skill_required``: the machine's required skills, per the machine's ``skill_gate``: ``block`` refuses,
   ``warn`` allows and returns a warning the caller stores on the row (``access_flagged``/``access_warning``),
   ``log_only`` allows and only logs (logger ``makerspace.access``);
3. ``plan_limit``: the member's plan covers the machine's type (and is active);
4. ``plan_required``: the machine's ``minimum_plan``: the member's plan is that plan or an active plan of the
   same makerspace priced at least as much;
5. ``outside_staffed_hours``: with ``staffed_hours_only``, the whole range lies inside one staffed interval.

Staff roles (staff/manager/admin of the makerspace) are not limited by plans or staffed hours; they need skills.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time

from makerspace.models import Equipment, Member, MemberSkill
from makrx.auth.roles import MAKERSPACE_STAFF_ROLES
from makrx.errors import ConflictError

logger = logging.getLogger("makerspace.access")


@dataclass(frozen=True)
class AccessDecision:
    """An allowed use; ``warnings`` are the rules let through by a ``warn`` gate, ``logged`` by ``log_only``."""

    warnings: list[str] = field(default_factory=list)
    logged: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.warnings)

    @property
    def warning_text(self) -> str:
        return "; ".join(self.warnings)[:500]

    def flag_fields(self) -> dict:
        """The model fields a reservation or usage session stores for this decision."""
        return {"access_flagged": self.flagged, "access_warning": self.warning_text}


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


def outside_staffed_hours(equipment: Equipment, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether ``[starts_at, ends_at]`` does not fit one staffed interval of the machine (local time).

    ``staffed_hours`` is ``[{"weekday": 0-6, "opens": "HH:MM", "closes": "HH:MM"}, ...]``; a malformed entry
    staffs nothing. An instant (``starts_at == ends_at``, a usage session starting) must be before closing.
    """
    tz = equipment.makerspace.tzinfo
    local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    instant = starts_at == ends_at
    for entry in equipment.staffed_hours if isinstance(equipment.staffed_hours, list) else []:
        try:
            opens, closes = time.fromisoformat(entry["opens"]), time.fromisoformat(entry["closes"])
            weekday = int(entry["weekday"])
        except (KeyError, TypeError, ValueError):
            continue
        if (
            weekday == local_start.weekday()
            and local_start.date() == local_end.date()
            and opens <= local_start.time()
            and (local_end.time() < closes if instant else local_end.time() <= closes)
        ):
            return False
    return True


def _plan_reaches(plan, minimum) -> bool:
    if plan is None or not plan.active:
        return False
    if plan.pk == minimum.pk:
        return True
    return plan.makerspace_id == minimum.makerspace_id and plan.price >= minimum.price


def member_can_use_equipment(
    *, member: Member | None, equipment: Equipment, at: datetime, until: datetime | None = None
) -> AccessDecision:
    """Raise ConflictError unless this member may use this machine over ``[at, until]`` (``until`` None: at ``at``).

    Returns the decision: its ``warnings`` (skill gate ``warn``) are to be stored on the booking or session.
    """
    until = until or at
    if member is None or member.makerspace_id != equipment.makerspace_id or member.status != Member.Status.ACTIVE:
        raise ConflictError("An active membership of this makerspace is required.", code="membership_inactive")
    warnings: list[str] = []
    logged: list[str] = []
    missing = missing_skills(member=member, equipment=equipment, at=at)
    if missing:
        names = ", ".join(str(skill) for skill in missing)
        gate = equipment.skill_gate
        if gate == Equipment.SkillGate.WARN:
            warnings.append(f"skill_required: {names}")
        elif gate == Equipment.SkillGate.LOG_ONLY:
            logged.append(f"skill_required: {names}")
        else:
            raise ConflictError(f"This machine requires a skill you do not hold: {names}.", code="skill_required")
    staff_role = member.role in MAKERSPACE_STAFF_ROLES
    plan = member.plan
    if (
        not staff_role
        and plan is not None
        and (not plan.active or not plan.covers_equipment_type(equipment.equipment_type))
    ):
        raise ConflictError(
            f"Your plan {plan.name!r} does not cover {equipment.get_equipment_type_display()} machines.",
            code="plan_limit",
        )
    if not staff_role and equipment.minimum_plan_id is not None:
        minimum = equipment.minimum_plan
        if not _plan_reaches(plan, minimum):
            raise ConflictError(
                f"{equipment.name} needs the plan {minimum.name!r} or a higher one.", code="plan_required"
            )
    if not staff_role and equipment.staffed_hours_only and outside_staffed_hours(equipment, at, until):
        raise ConflictError(
            f"{equipment.name} may be used only during its staffed hours.", code="outside_staffed_hours"
        )
    if warnings or logged:
        logger.warning(
            "access allowed past a skill gate",
            extra={
                "member_id": member.pk,
                "equipment_id": equipment.pk,
                "gate": equipment.skill_gate,
                "rules": warnings + logged,
            },
        )
    return AccessDecision(warnings=warnings, logged=logged)
