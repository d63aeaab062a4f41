"""Provider reads: the directory (verified providers for everyone signed in; unverified ones for the staff of
their makerspaces and for themselves) with search by capability, material and makerspace."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from makerspace.models import ProviderCapability, ServiceProvider
from makrx.auth import roles, scoping


def provider_list(
    *, user, capability: str | None = None, material: str | None = None, makerspace_id: int | None = None
) -> QuerySet[ServiceProvider]:
    queryset = ServiceProvider.objects.all()
    if not roles.is_platform_admin(user):
        visible = Q(verified_at__isnull=False) | Q(user=user)
        staffed = scoping.staffed_makerspace_ids(user)
        if staffed:
            visible |= Q(makerspaces__in=staffed)
        queryset = queryset.filter(pk__in=ServiceProvider.objects.filter(visible).values("pk"))
    capabilities = ProviderCapability.objects.filter(provider=OuterRef("pk"))
    if capability:
        capabilities = capabilities.filter(process=capability)
    if material:
        capabilities = capabilities.filter(materials__icontains=f",{material.strip().lower()},")
    if capability or material:
        queryset = queryset.filter(Exists(capabilities))
    if makerspace_id is not None:
        queryset = queryset.filter(makerspaces__id=makerspace_id)
    return (
        queryset.select_related("user")
        .prefetch_related(
            Prefetch("capabilities", queryset=ProviderCapability.objects.order_by("process")), "makerspaces"
        )
        .order_by("display_name", "id")
    )
