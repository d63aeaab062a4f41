"""Machine ratings: a member who used a machine rates it 1–5 with a comment; one rating per member and machine.

"Used" means a finished usage session or a completed reservation of that machine by that membership.
Rating again edits the member's rating.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from makerspace.models import Equipment, EquipmentRating, Member, Reservation, UsageSession
from makrx.auth import scoping
from makrx.errors import ConflictError, ValidationError

MAX_COMMENT = 2000


def has_used(*, member: Member, equipment: Equipment) -> bool:
    """A finished usage session or a completed reservation of this machine by this membership."""
    used = UsageSession.objects.filter(member=member, equipment=equipment, ended_at__isnull=False).exists()
    return (
        used
        or Reservation.objects.filter(member=member, equipment=equipment, status=Reservation.Status.COMPLETED).exists()
    )


@transaction.atomic
def rating_set(*, actor, equipment: Equipment, score: int, comment: str = "") -> tuple[EquipmentRating, bool]:
    """Create or edit the actor's rating of the machine; returns (rating, created).

    403 ``not_makerspace_member`` outside the machine's makerspace; 409 ``membership_inactive`` without an
    active membership there (a platform admin), ``machine_not_used`` before the member has used it.
    """
    scoping.makerspace_member_require(user=actor, makerspace_id=equipment.makerspace_id)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError("score is a whole number from 1 to 5.", errors={"score": ["From 1 to 5."]})
    if len(comment) > MAX_COMMENT:
        raise ValidationError("The comment is too long.", errors={"comment": [f"At most {MAX_COMMENT} characters."]})
    member = Member.objects.filter(
        user=actor, makerspace_id=equipment.makerspace_id, status=Member.Status.ACTIVE
    ).first()
    if member is None:
        raise ConflictError("Ratings are given through an active membership.", code="membership_inactive")
    if not has_used(member=member, equipment=equipment):
        raise ConflictError("Rate a machine once you have used it.", code="machine_not_used")
    values = {"score": score, "comment": comment}
    try:
        with transaction.atomic():  # two first ratings at once: the second becomes an edit
            return EquipmentRating.objects.update_or_create(equipment=equipment, member=member, defaults=values)
    except IntegrityError:
        rating = EquipmentRating.objects.select_for_update().get(equipment=equipment, member=member)
        rating.score, rating.comment = score, comment
        rating.save(update_fields=["score", "comment", "updated_at"])
        return rating, False
