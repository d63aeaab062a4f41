"""Makerspace seed: MakrX Cave Bengaluru with hours, a basic plan, two machines, their skills and an admin member."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from makerspace.models import Equipment, Makerspace, Member, MembershipPlan, OpeningHours, Skill
from makerspace.services import members as member_services
from makrx.auth.scoping import SYSTEM
from makrx.models import User

SLUG = "makrx-cave-bengaluru"


def run(*, options, stdout) -> None:
    space, created = Makerspace.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "MakrX Cave Bengaluru",
            "timezone": "Asia/Kolkata",
            "address": "MakrX Cave, Indiranagar, Bengaluru 560038, India",
            "contact_email": "cave-blr@makrx.local",
            "contact_phone": "+91 80 0000 0000",
            "join_policy": Makerspace.JoinPolicy.APPROVAL,
            "description": "3D printing, laser cutting and electronics for makers.",
        },
    )
    if created:
        stdout.write(f"created makerspace {space.name}")
    if not space.opening_hours.exists():
        # Monday to Saturday 09:00–21:00 local time; closed on Sunday.
        OpeningHours.objects.bulk_create(
            [OpeningHours(makerspace=space, weekday=day, opens=time(9), closes=time(21)) for day in range(6)]
        )
    MembershipPlan.objects.get_or_create(
        makerspace=space,
        name="Basic",
        defaults={
            "description": "10 machine hours a month on 3D printers and laser cutters.",
            "price": Decimal("1500.00"),
            "currency": "INR",
            "billing_period": MembershipPlan.BillingPeriod.MONTH,
            "included_hours": Decimal("10"),
            "equipment_types": [Equipment.Type.PRINTER_3D, Equipment.Type.LASER_CUTTER],
            "max_reservation_minutes": 240,
            "max_reservations_per_week": 5,
        },
    )
    printing, _ = Skill.objects.get_or_create(
        makerspace=space,
        name="3D printing basics",
        level=1,
        defaults={"description": "Slicing, loading filament, first-layer checks."},
    )
    laser, _ = Skill.objects.get_or_create(
        makerspace=space,
        name="Laser safety",
        level=1,
        defaults={"description": "Materials allowed, fire watch, exhaust and emergency stop."},
    )
    machines = [
        (
            "Prusa MK4 #1",
            "prusa-mk4-1",
            Equipment.Type.PRINTER_3D,
            Decimal("150.00"),
            printing,
            {"build_volume_mm": [250, 210, 220], "nozzle_mm": 0.4},
        ),
        (
            "Laser cutter 60W",
            "laser-60w",
            Equipment.Type.LASER_CUTTER,
            Decimal("600.00"),
            laser,
            {"bed_mm": [600, 400], "power_w": 60},
        ),
    ]
    for name, slug, kind, rate, skill, specs in machines:
        machine, made = Equipment.objects.get_or_create(
            makerspace=space,
            slug=slug,
            defaults={
                "name": name,
                "equipment_type": kind,
                "hourly_rate": rate,
                "currency": "INR",
                "location": "Ground floor",
                "specs": specs,
            },
        )
        if made:
            machine.required_skills.add(skill)
    admin = User.objects.filter(username="admin").first()
    if admin and not Member.objects.filter(makerspace=space, user=admin).exists():
        member_services.member_add(makerspace=space, user=admin, role=Member.Role.ADMIN, actor=SYSTEM, reason="seed")
        stdout.write("made admin an admin member of MakrX Cave Bengaluru")
