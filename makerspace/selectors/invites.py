"""Invitation reads: a makerspace's invitations for its staff."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import Invite
from makerspace.selectors.scope import STAFFED, own_or_space
from makrx.auth import scoping


def invite_scope(*, user) -> QuerySet[Invite]:
    """Invitations of the makerspaces the user staffs (all for platform admins); others are not found."""
    return own_or_space(
        Invite.objects.all(), user, own=Q(pk__in=[]), path="makerspace_id", level=STAFFED
    ).select_related("makerspace", "plan", "invited_by", "accepted_by")


def invite_list(*, user, makerspace) -> QuerySet[Invite]:
    """A makerspace's invitations, newest first (staff of that makerspace; 403 ``not_makerspace_staff`` otherwise)."""
    scoping.makerspace_staff_require(user=user, makerspace_id=makerspace.pk)
    return invite_scope(user=user).filter(makerspace=makerspace).order_by("-created_at", "-id")
