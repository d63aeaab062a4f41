"""Routing a store job to a makerspace: the chosen one if it takes store jobs, else the nearest capable one.

There is no location model (a makerspace has a free-text ``address``), so "nearest" is a documented rule over the
delivery address: a space whose address holds the delivery's postal code comes first, then one that names the
delivery's city, then the rest; ties go to the space with the fewest open jobs (spreading the work), then the
lowest id (stable). A pickup delivery names its makerspace, which counts as the chosen one.
"""

from __future__ import annotations

import re

from django.db.models import Case, Count, IntegerField, Q, Value, When

from makerspace.models import Equipment, InventoryItem, Makerspace, ProviderCapability, ServiceJob, SpaceSettings

# What the store (or an older sender) puts in ``requirements.capabilities`` → (machine type, provider process).
CAPABILITIES = {
    "print_3d": (Equipment.Type.PRINTER_3D, ProviderCapability.Process.FDM),
    "fdm": (Equipment.Type.PRINTER_3D, ProviderCapability.Process.FDM),
    "3d_printer": (Equipment.Type.PRINTER_3D, ProviderCapability.Process.FDM),
    "3d_printing": (Equipment.Type.PRINTER_3D, ProviderCapability.Process.FDM),
    "sla": (Equipment.Type.PRINTER_3D, ProviderCapability.Process.SLA),
    "sls": (Equipment.Type.PRINTER_3D, ProviderCapability.Process.SLS),
    "laser_cut": (Equipment.Type.LASER_CUTTER, ProviderCapability.Process.LASER),
    "laser": (Equipment.Type.LASER_CUTTER, ProviderCapability.Process.LASER),
    "laser_cutter": (Equipment.Type.LASER_CUTTER, ProviderCapability.Process.LASER),
    "laser_cutting": (Equipment.Type.LASER_CUTTER, ProviderCapability.Process.LASER),
    "cnc": (Equipment.Type.CNC, ProviderCapability.Process.CNC),
}
WEIGHT_UNITS = (InventoryItem.Unit.GRAM, InventoryItem.Unit.KILOGRAM)
USABLE_MACHINE_STATUSES = (Equipment.Status.AVAILABLE, Equipment.Status.IN_USE)
MATERIAL_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.+-]{0,63}$")


def required_capabilities(requirements: dict) -> list[tuple[str, str]]:
    """The (machine type, provider process) pairs a job needs; unknown capability names are ignored."""
    names = requirements.get("capabilities") or []
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list | tuple):
        return []
    pairs = []
    for name in names:
        pair = CAPABILITIES.get(str(name).strip().lower())
        if pair and pair not in pairs:
            pairs.append(pair)
    return pairs


def material_slug(requirements: dict) -> str:
    value = str(requirements.get("material") or "").strip().lower()
    return value if MATERIAL_SLUG.match(value) else ""


def material_items(*, makerspace_id: int, material: str):
    """Active inventory items of a space that hold ``material``: SKU equal to the slug, or a name with it as a
    whole word ("PLA filament 1.75 mm black", "Cast acrylic 3 mm"). Items kept by weight (g, kg) first, since a
    job's estimate is a weight; then the fullest."""
    if not material:
        return InventoryItem.objects.none()
    word = rf"(^|[^a-z0-9]){re.escape(material)}([^a-z0-9]|$)"
    by_weight = Case(When(unit__in=WEIGHT_UNITS, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        InventoryItem.objects.filter(
            Q(sku__iexact=material) | Q(name__iregex=word), makerspace_id=makerspace_id, active=True
        )
        .annotate(by_weight=by_weight)
        .order_by("by_weight", "-quantity", "id")
    )


def _accepting_spaces():
    return Makerspace.objects.filter(
        active=True,
        pk__in=SpaceSettings.objects.filter(accepts_service_jobs=True).values("makerspace_id"),
    )


def _offers(makerspace: Makerspace, machine_types: list[str]) -> bool:
    settings_row = SpaceSettings.objects.filter(makerspace=makerspace, accepts_service_jobs=True).first()
    return settings_row is not None and set(machine_types) <= set(settings_row.service_capabilities or [])


def _capable(makerspace: Makerspace, pairs: list[tuple[str, str]], material: str) -> bool:
    """A usable machine of every needed type, and the material: a verified, available provider of the space who
    runs the process with that material, or the material in the space's stock."""
    for machine_type, process in pairs:
        if not Equipment.objects.filter(
            makerspace=makerspace, equipment_type=machine_type, active=True, status__in=USABLE_MACHINE_STATUSES
        ).exists():
            return False
        if material:
            by_provider = ProviderCapability.objects.filter(
                process=process,
                materials__contains=f",{material},",
                provider__makerspaces=makerspace,
                provider__verified_at__isnull=False,
                provider__available=True,
            ).exists()
            in_stock = material_items(makerspace_id=makerspace.pk, material=material).filter(quantity__gt=0)
            if not by_provider and not in_stock.exists():
                return False
    return True


def _address_tokens(delivery: dict) -> tuple[str, str]:
    address = delivery.get("address") if isinstance(delivery, dict) else None
    if not isinstance(address, dict):
        return "", ""
    postal = str(address.get("postal_code") or "").strip().lower()
    city = str(address.get("city") or "").strip().lower()
    return postal, city


def preferred_makerspace_id(*, delivery: dict, makerspace_id: int | None) -> int | None:
    """The space the sender chose: ``makerspace_id``, else the pickup makerspace of a pickup delivery."""
    if makerspace_id is not None:
        return makerspace_id
    if isinstance(delivery, dict) and delivery.get("method") == "pickup":
        ref = delivery.get("makerspace")
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return int(ref)
    return None


def job_route(*, requirements: dict, preferred_makerspace_id: int | None = None, delivery: dict | None = None):
    """The makerspace that should make a job, or None when no active space takes it.

    The preferred space wins when it is active, accepts store jobs and offers every machine type the job needs
    (its staff decide about material and machines). Otherwise every accepting space that offers the types and is
    capable (``_capable``) is ranked by the module's nearest rule.
    """
    pairs = required_capabilities(requirements)
    machine_types = [machine_type for machine_type, _ in pairs]
    material = material_slug(requirements)
    if preferred_makerspace_id is not None:
        chosen = _accepting_spaces().filter(pk=preferred_makerspace_id).first()
        if chosen is not None and _offers(chosen, machine_types):
            return chosen
    postal, city = _address_tokens(delivery or {})
    candidates = _accepting_spaces().annotate(
        open_jobs=Count("service_jobs", filter=Q(service_jobs__status__in=ServiceJob.OPEN_STATUSES))
    )

    def rank(space) -> tuple:
        address = (space.address or "").lower()
        return (
            0 if postal and postal in address else 1,
            0 if city and city in address else 1,
            space.open_jobs,
            space.pk,
        )

    for space in sorted(candidates, key=rank):
        if _offers(space, machine_types) and _capable(space, pairs, material):
            return space
    return None
