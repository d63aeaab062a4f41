"""Quotes for 3D printing and laser cutting: priced from an upload's measured geometry, a material and options
(formulas in docs/store.md), checked against the machines partner makerspaces offer, then frozen."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from makrx.errors import ConflictError, NotFound, ValidationError
from makrx.money import quantize_money
from store.models import Cart, Material, Process, Quote, ServiceCapability, Upload
from store.services import require_store_staff

# 3D printing (the earlier store's model).
SHELL_FRACTION = Decimal("0.30")  # walls, top and bottom are solid whatever the infill
SUPPORT_FACTOR = Decimal("1.15")
WASTE_FACTOR = Decimal("1.10")
BASE_DEPOSITION_CM3_H = Decimal("12")  # at a 0.2 mm layer; scales with the layer height
QUALITY_LAYER_MM = {"draft": Decimal("0.30"), "standard": Decimal("0.20"), "fine": Decimal("0.10")}
PRINT_SETUP_HOURS = Decimal("0.25")  # labour once per order: slicing, bed preparation
PRINT_POST_HOURS_PER_PART = Decimal("0.10")  # labour per part: removal, support clean-up
# Laser cutting.
SHEET_USABLE = Decimal("0.85")  # nesting never uses a whole sheet
LASER_LABOUR_HOURS = Decimal("0.25")
# Shared.
RUSH_FACTOR = Decimal("1.8")
DEFAULT_MACHINE_RATE = Decimal("120.00")
DEFAULT_LABOUR_RATE = Decimal("200.00")
DELIVERY_BY_ZONE = {
    "pickup": Decimal("0.00"),
    "local": Decimal("60.00"),
    "regional": Decimal("120.00"),
    "national": Decimal("200.00"),
}
LEAD_BASE_DAYS = 2
WORKSHOP_HOURS_PER_DAY = Decimal("8")
MAX_QUANTITY = 1000
HOUR = Decimal(3600)


@dataclass(frozen=True)
class Rates:
    machine_per_hour: Decimal = DEFAULT_MACHINE_RATE
    labour_per_hour: Decimal = DEFAULT_LABOUR_RATE
    setup_fee: Decimal = Decimal("0.00")


@dataclass
class Price:
    """A computed price: every amount rounded once, on its line."""

    lines: list[dict] = field(default_factory=list)
    estimates: dict = field(default_factory=dict)
    machine_hours: Decimal = Decimal("0")
    subtotal: Decimal = Decimal("0.00")
    delivery: Decimal = Decimal("0.00")
    tax_rate: Decimal = Decimal("0")
    tax: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    lead_time_days: int = 0

    def add(self, item: str, amount: Decimal, detail: str) -> None:
        amount = quantize_money(amount)
        self.lines.append({"item": item, "amount": str(amount), "detail": detail})
        self.subtotal += amount


def _d(value) -> Decimal:
    return Decimal(str(value))


def _finish(price: Price, *, options: dict, tax_rate: Decimal) -> Price:
    if options.get("rush"):
        surcharge = quantize_money(price.subtotal * (RUSH_FACTOR - 1))
        price.add("rush", surcharge, f"rush: x{RUSH_FACTOR} on {price.subtotal}")
    zone = options.get("delivery_zone", "pickup")
    price.delivery = DELIVERY_BY_ZONE[zone]
    if price.delivery:
        price.lines.append({"item": "delivery", "amount": str(price.delivery), "detail": f"zone {zone}"})
    price.tax_rate = tax_rate
    price.tax = quantize_money((price.subtotal + price.delivery) * tax_rate / 100)
    price.lines.append({"item": "tax", "amount": str(price.tax), "detail": f"GST {tax_rate}%"})
    price.total = price.subtotal + price.delivery + price.tax
    days = LEAD_BASE_DAYS + math.ceil(price.machine_hours / WORKSHOP_HOURS_PER_DAY)
    price.lead_time_days = max(1, math.ceil(days / 2)) if options.get("rush") else days
    return price


def price_print(*, geometry: dict, material: Material, quantity: int, options: dict, rates: Rates, tax_rate: Decimal):
    """3D printing: mass = volume x (shell + (1 - shell) x infill) x density (+15 % supports) x 1.1 waste;
    time = printed volume / (12 cm3/h x layer / 0.2 mm); machine and labour at their hourly rates."""
    volume_cm3 = _d(geometry["volume_mm3"]) / 1000
    infill = _d(options.get("infill", 20)) / 100
    fill_fraction = SHELL_FRACTION + (1 - SHELL_FRACTION) * infill
    support = SUPPORT_FACTOR if options.get("supports") else Decimal("1")
    printed_cm3 = volume_cm3 * fill_fraction * support
    mass_g = printed_cm3 * material.density_g_cm3 * WASTE_FACTOR
    layer = QUALITY_LAYER_MM[options.get("quality", "standard")]
    hours_each = printed_cm3 / (BASE_DEPOSITION_CM3_H * layer / Decimal("0.20"))
    price = Price()
    price.machine_hours = hours_each * quantity
    price.add(
        "material",
        mass_g * quantity * material.price_per_kg / 1000,
        f"{mass_g.quantize(Decimal('0.1'))} g x {quantity} of {material.name} at {material.price_per_kg}/kg",
    )
    price.add(
        "machine_time",
        price.machine_hours * rates.machine_per_hour,
        f"{price.machine_hours.quantize(Decimal('0.01'))} h at {rates.machine_per_hour}/h",
    )
    labour_hours = PRINT_SETUP_HOURS + PRINT_POST_HOURS_PER_PART * quantity
    price.add("labour", labour_hours * rates.labour_per_hour, f"{labour_hours} h at {rates.labour_per_hour}/h")
    if rates.setup_fee:
        price.add("setup", rates.setup_fee, "setup fee")
    price.estimates = {
        "est_weight_g": float(mass_g.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
        "est_time_min": int((hours_each * 60).to_integral_value(rounding=ROUND_HALF_UP)),
        "layer_height_mm": float(layer),
    }
    return _finish(price, options=options, tax_rate=tax_rate)


def price_laser(*, geometry: dict, material: Material, quantity: int, options: dict, rates: Rates, tax_rate: Decimal):
    """Laser cutting: cut length / cutting speed for the thickness, engraving length / engraving speed (machine
    time), sheets = ceil(part bbox area x quantity / (sheet area x 0.85)), a setup fee and 0.25 h labour."""
    thickness = str(_d(options["thickness_mm"]).normalize())
    speeds = {str(_d(key).normalize()): value for key, value in (material.cut_speeds_mm_s or {}).items()}
    speed = _d(speeds[thickness])
    cut_seconds = _d(geometry["cut_length_mm"]) / speed
    engrave_seconds = _d(geometry.get("engrave_length_mm", 0)) / material.engrave_speed_mm_s
    hours_each = (cut_seconds + engrave_seconds) / HOUR
    width, height = (_d(value) for value in geometry["bbox_mm"][:2])
    sheet_area = _d(material.sheet_width_mm) * _d(material.sheet_height_mm)
    sheets = max(1, math.ceil(width * height * quantity / (sheet_area * SHEET_USABLE)))
    price = Price()
    price.machine_hours = hours_each * quantity
    price.add("sheets", material.price_per_sheet * sheets, f"{sheets} sheet(s) at {material.price_per_sheet}")
    price.add(
        "machine_time",
        price.machine_hours * rates.machine_per_hour,
        f"{(price.machine_hours * 60).quantize(Decimal('0.1'))} min at {rates.machine_per_hour}/h",
    )
    price.add(
        "labour", LASER_LABOUR_HOURS * rates.labour_per_hour, f"{LASER_LABOUR_HOURS} h at {rates.labour_per_hour}/h"
    )
    if rates.setup_fee:
        price.add("setup", rates.setup_fee, "setup fee")
    price.estimates = {
        "est_weight_g": 0,
        "est_time_min": int((hours_each * 60).to_integral_value(rounding=ROUND_HALF_UP)),
        "sheets": sheets,
        "thickness_mm": float(thickness),
    }
    return _finish(price, options=options, tax_rate=tax_rate)


def _fits(bbox: list[float], capability: ServiceCapability) -> bool:
    """The part fits the bed in some axis-aligned orientation (laser: flat on the bed, any rotation by 90°)."""
    if capability.process == Process.LASER_CUT:
        part = sorted(bbox[:2])
        return part[0] <= min(capability.bed_x_mm, capability.bed_y_mm) and part[1] <= max(
            capability.bed_x_mm, capability.bed_y_mm
        )
    part = sorted(bbox[:3])
    bed = sorted([capability.bed_x_mm, capability.bed_y_mm, capability.bed_z_mm])
    return all(p <= b for p, b in zip(part, bed, strict=True))


def machine_fit(*, process: str, material: Material, bbox: list[float]) -> tuple[ServiceCapability | None, str]:
    """The first capability (cheapest machine rate) that accepts store jobs for this process and material and
    whose bed fits the part; else (None, the reason)."""
    accepting = ServiceCapability.objects.filter(process=process, accepts_store_jobs=True)
    # One query on the usual path: machines offering the material (or listing none, i.e. any material).
    with_material = list(
        accepting.filter(Q(materials=material) | Q(materials__isnull=True))
        .distinct()
        .order_by("machine_rate_per_hour", "pk")
    )
    if not with_material:
        if not accepting.exists():
            return None, f"No makerspace accepts store jobs for {Process(process).label.lower()}."
        return None, f"No makerspace offers {material.name} for {Process(process).label.lower()}."
    for capability in with_material:
        if _fits(bbox, capability):
            return capability, ""
    largest = max(with_material, key=lambda c: c.bed_x_mm * c.bed_y_mm * max(c.bed_z_mm, 1))
    bed = [largest.bed_x_mm, largest.bed_y_mm] + ([largest.bed_z_mm] if process == Process.PRINT_3D else [])
    size = " x ".join(f"{value:g}" for value in bbox)
    return None, f"The part ({size} mm) fits no machine; the largest bed is {' x '.join(map(str, bed))} mm."


def _clean_options(*, process: str, material: Material, options: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict = {"rush": bool(options.get("rush", False))}
    zone = options.get("delivery_zone", "pickup")
    if zone not in DELIVERY_BY_ZONE:
        errors["delivery_zone"] = [f"One of {', '.join(DELIVERY_BY_ZONE)}."]
    clean["delivery_zone"] = zone
    if process == Process.PRINT_3D:
        infill = options.get("infill", 20)
        if isinstance(infill, bool) or not isinstance(infill, int | float) or not 0 <= infill <= 100:
            errors["infill"] = ["A percentage from 0 to 100."]
        quality = options.get("quality", "standard")
        if quality not in QUALITY_LAYER_MM:
            errors["quality"] = [f"One of {', '.join(QUALITY_LAYER_MM)}."]
        clean.update(infill=infill, quality=quality, supports=bool(options.get("supports", False)))
    else:
        available = [str(_d(t).normalize()) for t in material.thicknesses_mm or []]
        thickness = options.get("thickness_mm", (material.thicknesses_mm or [None])[0])
        try:
            key = str(_d(thickness).normalize())
        except (ArithmeticError, ValueError):
            key = None
        if key not in available:
            errors["thickness_mm"] = [f"{material.name} comes in {', '.join(available) or 'no'} mm."]
        clean["thickness_mm"] = thickness
    colour = options.get("colour")
    if colour is not None:
        if material.colours and colour not in material.colours:
            errors["colour"] = [f"{material.name} comes in {', '.join(material.colours)}."]
        clean["colour"] = colour
    unknown = set(options) - {"rush", "delivery_zone", "infill", "quality", "supports", "thickness_mm", "colour"}
    for name in sorted(unknown):
        errors[name] = ["Unknown option."]
    if errors:
        raise ValidationError(
            "Some options are not valid.", errors={f"options.{name}": messages for name, messages in errors.items()}
        )
    return clean


def quote_create(
    *, actor, cart: Cart | None, upload: Upload, process: str, material: Material, quantity: int, options: dict
) -> Quote:
    """Price ``quantity`` parts of a measured upload (immutable once written; valid ``QUOTE_VALID_DAYS`` days).

    The caller must own the upload (checked by the selector that found it). 409 ``upload_not_ready`` while it
    is processing or when it failed; 400 when process, material or options do not fit the file.
    """
    if upload.status != Upload.Status.READY:
        reason = upload.failure_reason or "it is still being measured"
        raise ConflictError(f"The upload cannot be quoted: {reason}.", code="upload_not_ready")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(f"Quantity from 1 to {MAX_QUANTITY}.", errors={"quantity": ["Out of range."]})
    if material.process != process or not material.active:
        raise ValidationError("That material is not offered for this process.", errors={"material": ["Not offered."]})
    expected = Process.PRINT_3D if upload.is_mesh else Process.LASER_CUT
    if process != expected:
        raise ValidationError(
            f"A {upload.kind.upper()} file is quoted for {Process(expected).label.lower()}.",
            code="process_mismatch",
            errors={"process": [f"Use {expected}."]},
        )
    options = _clean_options(process=process, material=material, options=options or {})
    geometry = upload.geometry
    if process == Process.PRINT_3D and geometry.get("volume_mm3", 0) <= 0:
        raise ValidationError("The mesh encloses no volume; it cannot be printed.", code="geometry_unusable")
    if process == Process.LASER_CUT and geometry.get("cut_length_mm", 0) + geometry.get("engrave_length_mm", 0) <= 0:
        raise ValidationError("The drawing has nothing to cut.", code="geometry_unusable")
    capability, reason = machine_fit(process=process, material=material, bbox=geometry["bbox_mm"])
    rates = (
        Rates(capability.machine_rate_per_hour, capability.labour_rate_per_hour, capability.setup_fee)
        if capability
        else Rates()
    )
    pricing = price_print if process == Process.PRINT_3D else price_laser
    price = pricing(
        geometry=geometry,
        material=material,
        quantity=quantity,
        options=options,
        rates=rates,
        tax_rate=Decimal(settings.DEFAULT_TAX_RATE),
    )
    signed_in = getattr(actor, "is_authenticated", False)
    # One INSERT, nothing else written: no explicit transaction (two round trips fewer per quote).
    return Quote.objects.create(
        upload=upload,
        user=actor if signed_in else None,
        cart=None if signed_in else cart,
        process=process,
        material=material,
        quantity=quantity,
        options=options,
        currency=material.currency,
        subtotal=price.subtotal,
        delivery=price.delivery,
        tax_rate=price.tax_rate,
        tax=price.tax,
        total=price.total,
        breakdown=price.lines,
        estimates=price.estimates,
        lead_time_days=price.lead_time_days,
        valid_until=timezone.now() + timedelta(days=settings.QUOTE_VALID_DAYS),
        machine_fits=capability is not None,
        machine_fits_reason=reason,
        capability=capability,
    )


def material_for_quote(*, material_id) -> Material:
    material = Material.objects.filter(pk=material_id, active=True).first()
    if material is None:
        raise NotFound("No such material.", code="material_not_found")
    return material


@transaction.atomic
def maker_services_seed(*, actor, data: dict) -> tuple[int, int]:
    """Create the default materials and partner capabilities that are missing (by slug, and by makerspace and
    machine name); rows staff edited are left alone. Store staff or ``SYSTEM``. Returns (materials, capabilities)
    created."""
    require_store_staff(actor, action="seed maker-service materials")
    materials_created = 0
    for row in data["materials"]:
        _material, created = Material.objects.get_or_create(slug=row["slug"], defaults=row)
        materials_created += created
    capabilities_created = 0
    for row in data["capabilities"]:
        row = dict(row)
        slugs = row.pop("materials", [])
        capability, created = ServiceCapability.objects.get_or_create(
            makerspace_ref=row["makerspace_ref"], name=row["name"], defaults=row
        )
        if created:
            capability.materials.set(Material.objects.filter(slug__in=slugs))
        capabilities_created += created
    return materials_created, capabilities_created


def material_save(*, actor, material: Material) -> Material:
    """Store staff edit materials (prices and rates apply to new quotes; quotes already given keep theirs)."""
    require_store_staff(actor, action="edit materials")
    material.full_clean()
    material.save()
    return material


def capability_save(*, actor, capability: ServiceCapability) -> ServiceCapability:
    """Store staff edit what partner machines offer (bed size, rates, materials, pickup)."""
    require_store_staff(actor, action="edit service capabilities")
    capability.full_clean()
    capability.save()
    return capability
