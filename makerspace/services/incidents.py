"""Safety incidents: staff file them on a machine, investigate and close them (open → investigating → closed).

A ``severe`` incident naming a member may suspend that member's skills for the machine (the grants of its
required skills stop counting, pending review); closing the incident reinstates them or not, as staff decide.
Every suspension and reinstatement is in the member's skill audit.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from makerspace.models import Equipment, Member, MemberSkill, SafetyIncident
from makerspace.services import skills as skill_services
from makrx.auth import scoping
from makrx.errors import InvalidTransition, ValidationError

logger = logging.getLogger(__name__)

S = SafetyIncident.Status
TRANSITIONS = {S.OPEN: {S.INVESTIGATING, S.CLOSED}, S.INVESTIGATING: {S.CLOSED}, S.CLOSED: set()}
EDITABLE = ("severity", "description", "actions_taken", "occurred_at")


def _grants_for_machine(member: Member, equipment: Equipment) -> list[MemberSkill]:
    """The member's live grants that satisfy one of the machine's required skills (same name, level ≥)."""
    required = list(equipment.required_skills.all())
    grants = MemberSkill.objects.filter(member=member, revoked_at__isnull=True).select_related("skill")
    return [
        grant
        for grant in grants
        if any(grant.skill.name == skill.name and grant.skill.level >= skill.level for skill in required)
    ]


@transaction.atomic
def incident_file(
    *,
    actor,
    equipment: Equipment,
    severity: str,
    description: str,
    member: Member | None = None,
    actions_taken: str = "",
    occurred_at: datetime | None = None,
    suspend_skills: bool = False,
) -> SafetyIncident:
    """Staff of the machine's makerspace record an incident; ``suspend_skills`` needs a severe one naming a member."""
    scoping.makerspace_staff_require(user=actor, makerspace_id=equipment.makerspace_id)
    if severity not in SafetyIncident.Severity.values:
        raise ValidationError("Unknown severity.", errors={"severity": ["Unknown severity."]})
    if not description or not description.strip():
        raise ValidationError("Describe what happened.", errors={"description": ["Required."]})
    if member is not None and member.makerspace_id != equipment.makerspace_id:
        raise ValidationError("The member belongs to another makerspace.", errors={"member": ["Wrong makerspace."]})
    now = timezone.now()
    if occurred_at is not None and occurred_at > now:
        raise ValidationError("occurred_at cannot be in the future.", errors={"occurred_at": ["In the future."]})
    if suspend_skills and (severity != SafetyIncident.Severity.SEVERE or member is None):
        raise ValidationError(
            "Only a severe incident naming a member suspends skills.",
            errors={"suspend_skills": ["Needs severity 'severe' and a member."]},
        )
    incident = SafetyIncident.objects.create(
        makerspace_id=equipment.makerspace_id,
        equipment=equipment,
        member=member,
        reported_by=actor,
        severity=severity,
        description=description.strip(),
        actions_taken=actions_taken,
        occurred_at=occurred_at or now,
    )
    if suspend_skills:
        reason = f"safety incident #{incident.pk}"
        suspended = [
            skill_services.member_skill_suspend(grant=grant, actor=actor, reason=reason)
            for grant in _grants_for_machine(member, equipment)
        ]
        incident.suspended_grants.set(suspended)
    logger.info("incident %s filed on equipment %s (%s)", incident.pk, equipment.pk, severity)
    return incident


def _lock(incident: SafetyIncident, actor) -> SafetyIncident:
    locked = SafetyIncident.objects.select_for_update(of=("self",)).select_related("equipment").get(pk=incident.pk)
    scoping.makerspace_staff_require(user=actor, makerspace_id=locked.makerspace_id)
    return locked


@transaction.atomic
def incident_update(*, incident: SafetyIncident, actor, **fields) -> SafetyIncident:
    """Edit an incident that is not closed (staff)."""
    incident = _lock(incident, actor)
    if incident.status == S.CLOSED:
        raise InvalidTransition("A closed incident is not edited.")
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(incident, name, value)
    if incident.severity not in SafetyIncident.Severity.values:
        raise ValidationError("Unknown severity.", errors={"severity": ["Unknown severity."]})
    incident.save()
    return incident


@transaction.atomic
def incident_investigate(*, incident: SafetyIncident, actor) -> SafetyIncident:
    """open → investigating (staff)."""
    incident = _lock(incident, actor)
    if S.INVESTIGATING not in TRANSITIONS[incident.status]:
        raise InvalidTransition(f"A {incident.get_status_display().lower()} incident cannot be investigated.")
    incident.status = S.INVESTIGATING
    incident.save(update_fields=["status", "updated_at"])
    return incident


@transaction.atomic
def incident_close(
    *, incident: SafetyIncident, actor, actions_taken: str = "", reinstate_skills: bool = False
) -> SafetyIncident:
    """→ closed (staff); ``reinstate_skills`` lifts the suspensions this incident made (else they stay held)."""
    incident = _lock(incident, actor)
    if S.CLOSED not in TRANSITIONS[incident.status]:
        raise InvalidTransition("This incident is already closed.")
    incident.status = S.CLOSED
    incident.closed_at = timezone.now()
    if actions_taken:
        incident.actions_taken = actions_taken
    incident.save(update_fields=["status", "closed_at", "actions_taken", "updated_at"])
    if reinstate_skills:
        for grant in incident.suspended_grants.all():
            skill_services.member_skill_reinstate(grant=grant, actor=actor, reason=f"safety incident #{incident.pk}")
    return incident
