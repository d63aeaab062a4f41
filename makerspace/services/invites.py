"""Invitations: staff invite an email address with a role (and optional plan); the invitee accepts with the token.

The token is shown once (the create and resend answers carry ``accept_url``) and stored only as its sha256,
so a database read never reveals a working link. A token is single-use and valid for ``INVITE_VALID_FOR``;
resending issues a new token (the old link dies). Who may invite follows the role rule of
``members.member_role_change``: staff invite members, managers invite staff and managers, only an admin of
the makerspace (or a platform admin) invites an admin; putting the invitee on a plan is a manager's act.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template import Context, Template
from django.utils import timezone

from makerspace.models import Invite, Makerspace, Member, MembershipPlan
from makerspace.services import members as member_services
from makerspace.services import plans as plan_services
from makrx.auth import scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationError
from makrx.notifications import kind_get, notify

logger = logging.getLogger(__name__)

INVITE_VALID_FOR = timedelta(days=7)
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def accept_url(token: str) -> str:
    """The member portal's link for this token (the token is its last path segment)."""
    return f"{settings.MAKERSPACE_INVITE_ACCEPT_BASE_URL}/{token}"


def invite_require(*, actor, makerspace_id: int, role: str, plan: MembershipPlan | None = None) -> None:
    """Staff invite members; managers invite staff and managers; only space admins invite admins."""
    if role not in Member.Role.values:
        raise ValidationError(f"Unknown role {role!r}.", errors={"role": ["Unknown role."]})
    scoping.makerspace_staff_require(user=actor, makerspace_id=makerspace_id)
    if role != Member.Role.MEMBER or plan is not None:
        scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace_id)
    if role == Member.Role.ADMIN:
        scoping.makerspace_admin_require(user=actor, makerspace_id=makerspace_id)


def _send_invite_email(*, invite_id: int, token: str) -> None:
    """Email the invitation to its address after commit (the invitee may have no account, so not ``notify``)."""
    kind = kind_get("membership.invited")
    invite = Invite.objects.select_related("makerspace", "invited_by", "plan").get(pk=invite_id)
    context = Context(
        {
            "makerspace": invite.makerspace.name,
            "role": invite.get_role_display().lower(),
            "plan": invite.plan.name if invite.plan else "",
            "invited_by": invite.invited_by.display_name if invite.invited_by else invite.makerspace.name,
            "accept_url": accept_url(token),
            "expires_at": f"{invite.expires_at:%Y-%m-%d %H:%M} UTC",
        },
        autoescape=False,
    )
    send_mail(
        subject=" ".join(Template(kind.subject).render(context).split()),
        message=Template(kind.text).render(context),
        html_message=Template(kind.html).render(context) if kind.html else None,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invite.email],
        fail_silently=False,
    )


def _issue_token(invite: Invite) -> str:
    """A fresh token (its hash on the invite) and a fresh validity; the caller saves and queues the email."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invite.token_hash = token_hash(token)
    invite.expires_at = timezone.now() + INVITE_VALID_FOR
    return token


def _queue_email(invite: Invite, token: str) -> None:
    invite_id = invite.pk
    transaction.on_commit(lambda: _send_invite_email(invite_id=invite_id, token=token))


@transaction.atomic
def invite_create(
    *, makerspace: Makerspace, email: str, actor, role: str = Member.Role.MEMBER, plan: MembershipPlan | None = None
) -> tuple[Invite, str]:
    """Invite an address (see the module's role rule); returns (invite, token). 409 ``duplicate`` if one is pending."""
    invite_require(actor=actor, makerspace_id=makerspace.pk, role=role, plan=plan)
    email = email.strip().lower()
    if plan is not None:
        if plan.makerspace_id != makerspace.pk:
            raise ValidationError("The plan belongs to another makerspace.", errors={"plan": ["Wrong makerspace."]})
        if not plan.active:
            raise ConflictError("This plan is no longer offered.", code="plan_inactive")
    makerspace = Makerspace.objects.select_for_update().get(pk=makerspace.pk)  # serialises invites of one space
    pending = Invite.objects.filter(
        makerspace=makerspace, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).filter(expires_at__gt=timezone.now())
    if pending.exists():
        raise ConflictError(f"{email} already has a pending invitation here; resend it instead.", code="duplicate")
    invite = Invite(makerspace=makerspace, email=email, role=role, plan=plan, invited_by=actor)
    token = _issue_token(invite)
    invite.save()
    _queue_email(invite, token)
    logger.info("invite %s created for makerspace %s (role %s)", invite.pk, makerspace.pk, role)
    return invite, token


def _lock(invite: Invite, actor) -> Invite:
    locked = Invite.objects.select_for_update(of=("self",)).select_related("makerspace", "plan").get(pk=invite.pk)
    invite_require(actor=actor, makerspace_id=locked.makerspace_id, role=locked.role, plan=locked.plan)
    return locked


@transaction.atomic
def invite_resend(*, invite: Invite, actor) -> tuple[Invite, str]:
    """A new token and a new week (the old link stops working); accepted or revoked invites are final."""
    invite = _lock(invite, actor)
    if invite.accepted_at or invite.revoked_at:
        raise InvalidTransition(f"An {invite.status} invitation cannot be resent.")
    token = _issue_token(invite)
    invite.sent_count += 1
    invite.save(update_fields=["token_hash", "expires_at", "sent_count", "updated_at"])
    _queue_email(invite, token)
    return invite, token


@transaction.atomic
def invite_revoke(*, invite: Invite, actor) -> Invite:
    """Kill a pending (or expired) invitation; an accepted one is final."""
    invite = _lock(invite, actor)
    if invite.accepted_at or invite.revoked_at:
        raise InvalidTransition(f"An {invite.status} invitation cannot be revoked.")
    invite.revoked_at = timezone.now()
    invite.save(update_fields=["revoked_at", "updated_at"])
    return invite


def _join(*, invite: Invite, user) -> Member:
    """The invitee's membership, active with the invite's role: new, or a rejected/expired one brought back."""
    existing = Member.objects.select_for_update().filter(makerspace_id=invite.makerspace_id, user=user).first()
    if existing is None:
        return member_services.member_add(
            makerspace=invite.makerspace, user=user, role=invite.role, actor=SYSTEM, reason=f"invite #{invite.pk}"
        )
    if existing.status not in (Member.Status.REJECTED, Member.Status.EXPIRED):
        raise ConflictError("You are already a member of this makerspace.", code="already_member")
    from_status, from_role = existing.status, existing.role
    existing.status, existing.role, existing.status_reason = Member.Status.ACTIVE, invite.role, "invited"
    existing.joined_at = existing.joined_at or timezone.now()
    existing.save(update_fields=["status", "role", "status_reason", "joined_at", "updated_at"])
    member_services.record_event(
        member=existing, actor=user, from_status=from_status, from_role=from_role, reason=f"invite #{invite.pk}"
    )
    return existing


@transaction.atomic
def invite_accept(*, token: str, actor) -> Member:
    """The signed-in user accepts: an active membership with the invite's role (and plan). Single use.

    404 for an unknown token; 409 ``invite_used`` (accepted, or revoked), ``invite_expired``, ``already_member``,
    ``invite_plan_unavailable`` (the plan can no longer be applied: nothing is written, staff resend).
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to accept an invitation.", code="not_authenticated")
    invite = (
        Invite.objects.select_for_update(of=("self",))
        .select_related("makerspace", "plan", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invite is None or not invite.makerspace.active:
        raise NotFound("This invitation does not exist.")
    if invite.accepted_at or invite.revoked_at:
        raise ConflictError("This invitation has already been used or withdrawn.", code="invite_used")
    if invite.expires_at <= timezone.now():
        raise ConflictError("This invitation has expired; ask the makerspace for a new one.", code="invite_expired")
    member = _join(invite=invite, user=actor)
    if invite.plan is not None:
        try:
            plan_services.subscription_create(member=member, plan=invite.plan, actor=invite.invited_by)
        except DomainError as exc:
            raise ConflictError(
                "The plan of this invitation can no longer be applied; ask the makerspace to resend it.",
                code="invite_plan_unavailable",
            ) from exc
        member.refresh_from_db()
    invite.accepted_at = timezone.now()
    invite.accepted_by = actor
    invite.member = member
    invite.save(update_fields=["accepted_at", "accepted_by", "member", "updated_at"])
    if invite.invited_by_id:
        notify(
            invite.invited_by_id,
            "membership.invite_accepted",
            {"email": invite.email, "makerspace": invite.makerspace.name, "member": actor.display_name},
            makerspace=invite.makerspace_id,
        )
    logger.info("invite %s accepted by user %s", invite.pk, actor.pk)
    return member
