"""Membership writes: joining, approval, suspension, reactivation, role changes; each writes a MemberEvent.

Who may act (checked here, so the API and the admin agree): staff approve and reject join requests,
managers suspend, reactivate, expire, add members and change roles; nobody but a platform admin acts
on their own membership, and only an admin of the makerspace acts on an ``admin`` membership or
grants the ``admin`` role (``makrx.auth.scoping.membership_action_require``).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from makerspace.models import Makerspace, Member, MemberEvent
from makrx.auth import roles, scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import (
    ConflictError,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)

logger = logging.getLogger(__name__)

S = Member.Status

# from status → statuses it may move to (join handles re-joining after rejection/expiry).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.ACTIVE, S.REJECTED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.EXPIRED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.EXPIRED}),
    S.EXPIRED: frozenset({S.ACTIVE}),
    S.REJECTED: frozenset(),
}


def _lock(member: Member) -> Member:
    # of=("self",): lock the membership only; locking its makerspace too deadlocked against joins (which lock
    # the makerspace, then the membership).
    return Member.objects.select_for_update(of=("self",)).select_related("makerspace", "user").get(pk=member.pk)


def _record(*, member: Member, actor, from_status: str, from_role: str, reason: str = "") -> MemberEvent:
    return MemberEvent.objects.create(
        member=member,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=member.status,
        from_role=from_role,
        to_role=member.role,
        reason=reason[:500],
    )


def record_event(*, member: Member, actor, from_status: str, from_role: str, reason: str = "") -> MemberEvent:
    """Write the membership's history row for a change made elsewhere (an accepted invitation)."""
    return _record(member=member, actor=actor, from_status=from_status, from_role=from_role, reason=reason)


def member_action_require(*, member: Member, actor, staff: bool = False) -> None:
    """The actor may act on this membership (manager rule; ``staff``: staff rule); see scoping.membership_action_require."""
    scoping.membership_action_require(
        user=actor,
        makerspace_id=member.makerspace_id,
        member_user_id=member.user_id,
        member_role=member.role,
        staff=staff,
    )


def _transition(
    *, member: Member, to_status: str, actor, reason: str = "", staff: bool = False, system_path: bool = False
) -> Member:
    """Move a membership to ``to_status`` after the actor check (``SYSTEM`` passes only on a ``system_path``)."""
    member = _lock(member)
    if not (system_path and actor is SYSTEM):
        member_action_require(member=member, actor=actor, staff=staff)
    if to_status not in TRANSITIONS[member.status]:
        raise InvalidTransition(
            f"A {member.get_status_display().lower()} membership cannot become {S(to_status).label.lower()}."
        )
    from_status = member.status
    member.status = to_status
    member.status_reason = reason[:500]
    if to_status == S.ACTIVE and member.joined_at is None:
        member.joined_at = timezone.now()
    member.save(update_fields=["status", "status_reason", "joined_at", "updated_at"])
    _record(member=member, actor=actor, from_status=from_status, from_role=member.role, reason=reason)
    logger.info("member %s: %s -> %s", member.pk, from_status, to_status)
    return member


@transaction.atomic
def makerspace_join(*, makerspace: Makerspace, actor) -> Member:
    """The actor asks to join: active at once when the join policy is open, else pending staff approval.

    Already a member (pending, active, suspended) → 409 ``duplicate``; a rejected or expired membership
    may ask again.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to join a makerspace.", code="not_authenticated")
    user = actor
    makerspace = Makerspace.objects.select_for_update().get(pk=makerspace.pk)
    if not makerspace.active:
        raise NotFound("Makerspace not found.")
    to_status = S.ACTIVE if makerspace.join_policy == Makerspace.JoinPolicy.OPEN else S.PENDING
    member = Member.objects.select_for_update().filter(makerspace=makerspace, user=user).first()
    if member is not None:
        if member.status not in (S.REJECTED, S.EXPIRED):
            raise ConflictError("You are already a member of this makerspace.", code="duplicate")
        from_status = member.status
        member.status = to_status
        member.status_reason = ""
        if to_status == S.ACTIVE and member.joined_at is None:
            member.joined_at = timezone.now()
        member.save(update_fields=["status", "status_reason", "joined_at", "updated_at"])
        _record(member=member, actor=user, from_status=from_status, from_role=member.role, reason="join request")
        return member
    member = Member.objects.create(
        user=user,
        makerspace=makerspace,
        role=Member.Role.MEMBER,
        status=to_status,
        joined_at=timezone.now() if to_status == S.ACTIVE else None,
    )
    _record(member=member, actor=user, from_status="", from_role="", reason="join request")
    return member


@transaction.atomic
def member_approve(*, member: Member, actor, reason: str = "") -> Member:
    """pending → active (staff of the makerspace; not their own request)."""
    return _transition(member=member, to_status=S.ACTIVE, actor=actor, reason=reason, staff=True)


@transaction.atomic
def member_reject(*, member: Member, actor, reason: str = "") -> Member:
    """pending → rejected (staff of the makerspace; not their own request)."""
    return _transition(member=member, to_status=S.REJECTED, actor=actor, reason=reason, staff=True)


@transaction.atomic
def member_suspend(*, member: Member, actor, reason: str) -> Member:
    """active → suspended, with a reason (managers)."""
    if not reason or not reason.strip():
        raise ValidationError("A reason is required to suspend a member.", errors={"reason": ["Required."]})
    return _transition(member=member, to_status=S.SUSPENDED, actor=actor, reason=reason.strip())


@transaction.atomic
def member_reactivate(*, member: Member, actor, reason: str = "") -> Member:
    """Suspended or expired → active (managers; pending members are approved, not reactivated)."""
    if member.status == S.PENDING:
        raise InvalidTransition("A pending membership is approved, not reactivated.")
    return _transition(member=member, to_status=S.ACTIVE, actor=actor, reason=reason)


@transaction.atomic
def member_expire(*, member: Member, actor, reason: str = "") -> Member:
    """active/suspended → expired: managers, or ``SYSTEM`` when a subscription lapses."""
    return _transition(member=member, to_status=S.EXPIRED, actor=actor, reason=reason, system_path=True)


@transaction.atomic
def member_role_change(*, member: Member, role: str, actor, reason: str = "") -> Member:
    """Change a member's role in their makerspace (managers).

    Only a makerspace admin (or platform admin) grants or takes away the ``admin`` role, and nobody
    but a platform admin changes their own role (so a space never loses its last admin by accident).
    """
    if role not in Member.Role.values:
        raise ValidationError(f"Unknown role {role!r}.", errors={"role": ["Unknown role."]})
    member = _lock(member)
    member_action_require(member=member, actor=actor)
    if role == Member.Role.ADMIN:
        scoping.makerspace_admin_require(user=actor, makerspace_id=member.makerspace_id)
    if member.role == role:
        return member
    from_role = member.role
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    _record(member=member, actor=actor, from_status=member.status, from_role=from_role, reason=reason)
    return member


@transaction.atomic
def member_add(*, makerspace: Makerspace, user, actor, role: str = Member.Role.MEMBER, reason: str = "") -> Member:
    """Managers add a user directly as an active member (admin screen; ``SYSTEM`` for seed data).

    Only a makerspace admin adds someone as ``admin``; 409 ``duplicate`` if the user is already a member.
    """
    if role not in Member.Role.values:
        raise ValidationError(f"Unknown role {role!r}.", errors={"role": ["Unknown role."]})
    if actor is not SYSTEM:
        scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
        if role == Member.Role.ADMIN:
            scoping.makerspace_admin_require(user=actor, makerspace_id=makerspace.pk)
    duplicate = ConflictError(f"{user} is already a member of {makerspace}.", code="duplicate")
    if Member.objects.filter(makerspace=makerspace, user=user).exists():
        raise duplicate
    try:
        with transaction.atomic():  # a concurrent add of the same user hits the unique constraint: still a 409
            member = Member.objects.create(
                user=user, makerspace=makerspace, role=role, status=S.ACTIVE, joined_at=timezone.now()
            )
    except IntegrityError:
        raise duplicate from None
    _record(member=member, actor=actor, from_status="", from_role="", reason=reason or "added by staff")
    return member


# --- many members at once ---------------------------------------------------------------------------------------

BULK_MAX_IDS = 500
BULK_ACTIONS = ("approve", "reject", "suspend", "reactivate", "assign_plan")


def _bulk_one(*, action: str, member: Member, actor, reason: str, plan) -> None:
    # The same services as the single actions; imported here because plans imports this module.
    from makerspace.services import plans as plan_services

    if action == "assign_plan":
        plan_services.subscription_create(member=member, plan=plan, actor=actor)
        return
    service = {
        "approve": member_approve,
        "reject": member_reject,
        "suspend": member_suspend,
        "reactivate": member_reactivate,
    }[action]
    service(member=member, actor=actor, reason=reason)


def members_bulk_apply(*, actor, action: str, ids: list[int], reason: str = "", plan=None) -> dict:
    """Apply one action to many memberships through the single-action services, each in its own savepoint.

    Answers ``{"done": [ids], "failed": {id: code}}``: one refusal never undoes the others. Ids outside the
    makerspaces the actor staffs fail as ``not_found`` (whether they exist is not told); at most
    ``BULK_MAX_IDS`` ids; ``assign_plan`` needs a ``plan``.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in first.", code="not_authenticated")
    if action not in BULK_ACTIONS:
        raise ValidationError(f"Unknown action {action!r}.", errors={"action": ["Unknown action."]})
    if not ids:
        raise ValidationError("Name at least one member.", errors={"ids": ["This list may not be empty."]})
    if len(ids) > BULK_MAX_IDS:
        raise ValidationError(
            f"At most {BULK_MAX_IDS} members at once.", errors={"ids": [f"At most {BULK_MAX_IDS} ids."]}
        )
    if action == "assign_plan" and plan is None:
        raise ValidationError("assign_plan needs a plan.", errors={"plan": ["Required for assign_plan."]})
    unique_ids = list(dict.fromkeys(ids))
    members = Member.objects.filter(pk__in=unique_ids)
    if not roles.is_platform_admin(actor):
        members = members.filter(makerspace_id__in=scoping.staffed_makerspace_ids(actor))
    found = {member.pk: member for member in members}
    done: list[int] = []
    failed: dict[int, str] = {}
    for member_id in unique_ids:
        member = found.get(member_id)
        if member is None:
            failed[member_id] = "not_found"
            continue
        try:
            with transaction.atomic():
                _bulk_one(action=action, member=member, actor=actor, reason=reason, plan=plan)
        except DomainError as exc:
            failed[member_id] = exc.code
        else:
            done.append(member_id)
    logger.info("bulk %s on %d members: %d done, %d failed", action, len(unique_ids), len(done), len(failed))
    return {"done": done, "failed": failed}
