"""Service provider writes: a maker keeps their own profile (capabilities, makerspaces, rate, availability);
staff of a makerspace the provider works in verify them. Verified providers are whom the bridge assigns jobs."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from makerspace.models import Makerspace, ProviderCapability, ServiceProvider
from makrx.auth import roles, scoping
from makrx.errors import PermissionDenied, ValidationError

MAX_MATERIALS = 30


def materials_normalise(names) -> str:
    cleaned = sorted({str(name).strip().lower().replace(",", " ") for name in names if str(name).strip()})
    if len(cleaned) > MAX_MATERIALS or any(len(name) > 30 for name in cleaned):
        raise ValidationError("At most 30 materials of 30 characters.", errors={"materials": ["Too many or long."]})
    return f",{','.join(cleaned)}," if cleaned else ""


@transaction.atomic
def provider_profile_save(
    *,
    actor,
    display_name: str,
    bio: str = "",
    makerspaces: list[Makerspace] | None = None,
    hourly_rate=None,
    currency: str | None = None,
    available: bool = True,
    availability_note: str = "",
    capabilities: list[dict] | None = None,
) -> ServiceProvider:
    """Create or replace the actor's own provider profile. They work only in makerspaces they belong to; a
    change of capabilities or makerspaces after verification keeps the verification (staff may revoke it)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in first.", code="not_authenticated")
    if not display_name.strip():
        raise ValidationError("A display name is required.", errors={"display_name": ["Required."]})
    spaces = makerspaces or []
    for space in spaces:
        scoping.makerspace_member_require(user=actor, makerspace_id=space.pk)
    rate = None
    if hourly_rate is not None:
        try:
            rate = Decimal(str(hourly_rate))
        except InvalidOperation:
            raise ValidationError("Give an amount.", errors={"hourly_rate": ["Invalid."]})
        if not rate.is_finite() or rate < 0 or rate >= Decimal("1e10"):
            raise ValidationError("A non-negative amount.", errors={"hourly_rate": ["Invalid."]})
    processes = [cap.get("process") for cap in capabilities or []]
    if len(set(processes)) != len(processes):
        raise ValidationError("Each process once.", errors={"capabilities": ["A process appears twice."]})
    if set(processes) - set(ProviderCapability.Process.values):
        raise ValidationError("Unknown process.", errors={"capabilities": ["Unknown process."]})
    provider, _ = ServiceProvider.objects.select_for_update().get_or_create(
        user=actor, defaults={"display_name": display_name}
    )
    provider.display_name = display_name
    provider.bio = bio
    provider.hourly_rate = rate
    if currency:
        provider.currency = currency
    provider.available = available
    provider.availability_note = availability_note
    provider.save()
    provider.makerspaces.set(spaces)
    provider.capabilities.all().delete()
    ProviderCapability.objects.bulk_create(
        [
            ProviderCapability(
                provider=provider,
                process=cap["process"],
                materials=materials_normalise(cap.get("materials", [])),
                bed_x_mm=cap.get("bed_x_mm"),
                bed_y_mm=cap.get("bed_y_mm"),
                bed_z_mm=cap.get("bed_z_mm"),
            )
            for cap in capabilities or []
        ]
    )
    return provider


@transaction.atomic
def provider_verify(*, actor, provider: ServiceProvider, verified: bool = True) -> ServiceProvider:
    """Staff of a makerspace the provider works in (or platform admins) verify a provider, or withdraw it."""
    locked = ServiceProvider.objects.select_for_update().get(pk=provider.pk)
    space_ids = list(locked.makerspaces.values_list("pk", flat=True))
    if not roles.is_platform_admin(actor) and not any(scoping.can_staff_makerspace(actor, pk) for pk in space_ids):
        raise PermissionDenied("Only staff of a makerspace this provider works in verify them.", code=scoping.NOT_STAFF)
    locked.verified_at = (locked.verified_at or timezone.now()) if verified else None
    locked.verified_by = actor if verified else None
    locked.save(update_fields=["verified_at", "verified_by", "updated_at"])
    return locked
