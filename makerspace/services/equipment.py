"""Equipment writes: create, edit, photo, and status changes recorded in EquipmentStatusChange.

Managers create and edit machines; staff set a machine's status by hand (``equipment_status_change``).
Other services that already checked their own actor (maintenance, usage) move the status through
``equipment_status_apply``, which checks nobody.
"""

from __future__ import annotations

import logging
from datetime import time

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from makerspace.models import Equipment, EquipmentStatusChange, MembershipPlan, Skill
from makerspace.selectors.space_settings import space_settings_for
from makrx.auth import scoping
from makrx.errors import ConflictError, PayloadTooLarge, UnsupportedMediaType, ValidationError

logger = logging.getLogger(__name__)

EQUIPMENT_FIELDS = (
    "name",
    "slug",
    "equipment_type",
    "description",
    "hourly_rate",
    "currency",
    "location",
    "specs",
    "approval",
    "approval_price_threshold",
    "staffed_hours",
    "requires_supervisor",
    "skill_gate",
    "minimum_plan_id",
    "staffed_hours_only",
    "active",
)
# Photos are checked by content, not by name: PNG, JPEG, GIF, WebP.
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
PHOTO_MAX_MB = 10


def photo_check(photo) -> None:
    """Refuse files that are not PNG, JPEG, GIF or WebP by their first bytes, or that are too large."""
    if photo.size > min(PHOTO_MAX_MB, settings.UPLOAD_MAX_MB) * 1024 * 1024:
        raise PayloadTooLarge(f"The photo is larger than {PHOTO_MAX_MB} MB.")
    head = photo.read(16)
    photo.seek(0)
    is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not (is_webp or any(head.startswith(sig) for sig in IMAGE_SIGNATURES)):
        raise UnsupportedMediaType("The photo must be a PNG, JPEG, GIF or WebP image.")


def _set_required_skills(equipment: Equipment, skills: list[Skill]) -> None:
    if any(skill.makerspace_id != equipment.makerspace_id for skill in skills):
        raise ValidationError(
            "Required skills must belong to the machine's makerspace.",
            errors={"required_skills": ["Skill of another makerspace."]},
        )
    equipment.required_skills.set(skills)


def _check_staffed_hours(value) -> list:
    message = 'staffed_hours: a list of {"weekday": 0-6, "opens": "HH:MM", "closes": "HH:MM"}.'
    if not isinstance(value, list) or len(value) > 50:
        raise ValidationError(message, errors={"staffed_hours": [message]})
    clean = []
    for entry in value:
        try:
            assert isinstance(entry, dict) and set(entry) == {"weekday", "opens", "closes"}
            weekday = entry["weekday"]
            assert isinstance(weekday, int) and not isinstance(weekday, bool) and 0 <= weekday <= 6
            opens, closes = time.fromisoformat(entry["opens"]), time.fromisoformat(entry["closes"])
            assert opens < closes and opens.tzinfo is None and closes.tzinfo is None
        except (AssertionError, TypeError, ValueError):
            raise ValidationError(message, errors={"staffed_hours": [message]}) from None
        clean.append({"weekday": weekday, "opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")})
    return clean


def _check(equipment: Equipment) -> None:
    equipment.staffed_hours = _check_staffed_hours(equipment.staffed_hours)
    if equipment.approval not in Equipment.Approval.values:
        raise ValidationError("Unknown approval mode.", errors={"approval": ["Unknown approval mode."]})
    if equipment.approval == Equipment.Approval.ABOVE_PRICE and equipment.approval_price_threshold is None:
        raise ValidationError(
            "Approval above a price names the price.", errors={"approval_price_threshold": ["Required."]}
        )
    if equipment.skill_gate not in Equipment.SkillGate.values:
        raise ValidationError("Unknown skill gate.", errors={"skill_gate": ["Unknown skill gate."]})
    if (
        equipment.minimum_plan_id is not None
        and not MembershipPlan.objects.filter(
            pk=equipment.minimum_plan_id, makerspace_id=equipment.makerspace_id
        ).exists()
    ):
        raise ValidationError(
            "The minimum plan must be a plan of the machine's makerspace.", errors={"minimum_plan": ["Unknown plan."]}
        )
    if not isinstance(equipment.specs, dict):
        raise ValidationError("specs must be a JSON object.", errors={"specs": ["Must be an object."]})
    if equipment.hourly_rate is not None and equipment.hourly_rate < 0:
        raise ValidationError("hourly_rate must not be negative.", errors={"hourly_rate": ["Must be >= 0."]})
    clash = Equipment.objects.filter(makerspace_id=equipment.makerspace_id, slug=equipment.slug)
    if clash.exclude(pk=equipment.pk).exists():
        raise ConflictError(f"This makerspace already has a machine with slug {equipment.slug!r}.", code="duplicate")


@transaction.atomic
def equipment_create(
    *, makerspace, name: str, actor, required_skills: list[Skill] | None = None, photo=None, **fields
) -> Equipment:
    """A new machine of the makerspace (managers)."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    unknown = set(fields) - set(EQUIPMENT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "approval" not in fields:
        fields["approval"] = space_settings_for(makerspace_id=makerspace.pk).default_approval
    equipment = Equipment(makerspace=makerspace, name=name, **fields)
    equipment.slug = equipment.slug or slugify(name)[:100] or "machine"
    _check(equipment)
    if photo is not None:
        photo_check(photo)
        equipment.photo = photo
    equipment.save()
    if required_skills:
        _set_required_skills(equipment, required_skills)
    EquipmentStatusChange.objects.create(
        equipment=equipment, from_status="", to_status=equipment.status, reason="created", actor=_actor(actor)
    )
    return equipment


@transaction.atomic
def equipment_update(
    *, equipment: Equipment, actor, required_skills: list[Skill] | None = None, photo=None, **fields
) -> Equipment:
    """Edit a machine's description fields (managers; its status changes through ``equipment_status_change``)."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=equipment.makerspace_id)
    equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
    for name, value in fields.items():
        if name not in EQUIPMENT_FIELDS:
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(equipment, name, value)
    _check(equipment)
    if photo is not None:
        photo_check(photo)
        equipment.photo = photo
    equipment.save()
    if required_skills is not None:
        _set_required_skills(equipment, required_skills)
    return equipment


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def equipment_status_change(
    *, equipment: Equipment, to_status: str, actor, reason: str = ""
) -> EquipmentStatusChange | None:
    """Staff of the machine's makerspace set its status by hand; returns the history row (None: no change)."""
    scoping.makerspace_staff_require(user=actor, makerspace_id=equipment.makerspace_id)
    return equipment_status_apply(equipment=equipment, to_status=to_status, actor=actor, reason=reason)


@transaction.atomic
def equipment_status_apply(
    *, equipment: Equipment, to_status: str, actor, reason: str = "", ticket=None, window=None
) -> EquipmentStatusChange | None:
    """Set a machine's status and record why (with the maintenance ticket or window that caused it).

    For services that have checked their actor already (or ``SYSTEM``): no permission check here.
    Returns the history row, or None when the machine already has that status.
    """
    if to_status not in Equipment.Status.values:
        raise ValidationError(f"Unknown status {to_status!r}.", errors={"status": ["Unknown status."]})
    locked = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if locked.status == to_status:
        return None
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    equipment.status = to_status
    logger.info("equipment %s status %s -> %s (%s)", locked.pk, from_status, to_status, reason)
    return EquipmentStatusChange.objects.create(
        equipment=locked,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:500],
        actor=_actor(actor),
        ticket=ticket,
        window=window,
    )
