"""Makerspace seed: MakrX Cave Bengaluru with hours, a basic plan, machines, their skills and an admin member,
then the sample activity of ``seed_data/sample.json`` (members, bookings, a waiting list, inventory, a project).

Everything goes through the services; running it again adds nothing. Bookings are placed on the space's next
open hours counted from now in its own time zone, so the lists are never empty whichever day seed runs; a
booking is made again only once its earlier copy is over.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from makerspace.models import (
    Equipment,
    InventoryItem,
    Makerspace,
    Member,
    MembershipPlan,
    OpeningHours,
    Project,
    Reservation,
    ServiceProvider,
    Skill,
    WaitlistEntry,
)
from makerspace.services import inventory as inventory_services
from makerspace.services import members as member_services
from makerspace.services import plans as plan_services
from makerspace.services import projects as project_services
from makerspace.services import providers as provider_services
from makerspace.services import reservations as reservation_services
from makerspace.services import skills as skill_services
from makerspace.services import space_settings as space_settings_services
from makerspace.services import waitlist as waitlist_services
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError
from makrx.models import User
from makrx.seed import samples_wanted

SLUG = "makrx-cave-bengaluru"
SAMPLE = Path(__file__).resolve().parent / "seed_data" / "sample.json"
SEED_NOTE = "Sample booking (seed): "


@cache
def sample_data() -> dict:
    with SAMPLE.open(encoding="utf-8") as handle:
        return json.load(handle)


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
    if samples_wanted(options):
        seed_sample_activity(space=space, stdout=stdout)


def _sample_user(row: dict) -> User:
    user = User.objects.filter(username=row["username"]).first()
    if user is None:
        user = User.objects.create_user(
            row["username"],
            f"{row['username']}@makrx.local",
            password=None,
            first_name=row["first_name"],
            last_name=row["last_name"],
        )
    return user


def open_slots(space: Makerspace, *, now: datetime, days: int = 8) -> list[datetime]:
    """Whole local hours from the next one on, for ``days`` days, that lie inside the opening hours (UTC-aware)."""
    tz = space.tzinfo
    hours: dict[int, list[tuple[time, time]]] = {}
    for row in OpeningHours.objects.filter(makerspace=space):
        hours.setdefault(row.weekday, []).append((row.opens, row.closes))
    local = now.astimezone(tz).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    slots = []
    for step in range(days * 24):
        start = (local + timedelta(hours=step)).astimezone(tz)
        end = start + timedelta(hours=1)
        if any(
            opens <= start.time() and end.time() <= closes and end.date() == start.date()
            for opens, closes in hours.get(start.weekday(), [])
        ):
            slots.append(start)
    return slots


def seed_sample_activity(*, space: Makerspace, stdout) -> None:
    data = sample_data()
    now = timezone.now()
    # The sample manager does what staff do (grant skills, book for members); SYSTEM only adds the staff member.
    staff_user = _sample_user(data["staff"])
    if not Member.objects.filter(makerspace=space, user=staff_user).exists():
        member_services.member_add(
            makerspace=space, user=staff_user, actor=SYSTEM, role=data["staff"]["role"], reason="seed"
        )
        stdout.write(f"added sample {data['staff']['role']} {staff_user.username}")
    skills = {skill.name: skill for skill in Skill.objects.filter(makerspace=space)}
    for row in data["skills"]:
        if row["name"] not in skills:
            skills[row["name"]] = skill_services.skill_create(
                makerspace=space, actor=staff_user, name=row["name"], level=row["level"], description=row["description"]
            )
    for row in data["machines"]:
        machine, made = Equipment.objects.get_or_create(
            makerspace=space,
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "equipment_type": row["type"],
                "hourly_rate": Decimal(row["rate"]),
                "currency": "INR",
                "location": "Workshop",
                "approval": row["approval"],
                "specs": row["specs"],
            },
        )
        if made:
            machine.required_skills.add(skills[row["skill"]])
    plans = {plan.name: plan for plan in MembershipPlan.objects.filter(makerspace=space)}
    members: dict[str, Member] = {}
    for row in data["members"]:
        user = _sample_user(row)
        member = Member.objects.filter(makerspace=space, user=user).first()
        if member is None:
            member = member_services.member_add(makerspace=space, user=user, actor=SYSTEM, reason="seed")
            for name in row["skills"]:
                skill_services.member_skill_grant(member=member, skill=skills[name], actor=staff_user, reason="seed")
            if row["plan"]:
                plan_services.subscription_create(member=member, plan=plans[row["plan"]], actor=staff_user)
            stdout.write(f"added sample member {user.username}")
        members[row["username"]] = member
    for row in data["pending_members"]:
        user = _sample_user(row)
        if not Member.objects.filter(makerspace=space, user=user).exists():
            member_services.makerspace_join(makerspace=space, actor=user)  # the join policy is "approval": pending
            stdout.write(f"added pending member {user.username}")
    _seed_bookings(space=space, data=data, staff=staff_user, members=members, now=now, stdout=stdout)
    _seed_inventory(space=space, data=data, stdout=stdout)
    _seed_service_jobs(space=space, data=data, staff=staff_user, stdout=stdout)
    for row in data["projects"]:
        owner = members[row["owner"]].user
        if not Project.objects.filter(makerspace=space, owner=owner, title=row["title"]).exists():
            fields = {key: row[key] for key in ("description", "visibility", "status", "tags")}
            project_services.project_create(actor=owner, makerspace=space, title=row["title"], **fields)


def _seed_bookings(
    *, space: Makerspace, data: dict, staff: User, members: dict[str, Member], now: datetime, stdout
) -> None:
    slots = open_slots(space, now=now)
    machines = {machine.slug: machine for machine in Equipment.objects.filter(makerspace=space)}
    booked: dict[str, Reservation] = {}
    made = 0
    for row in data["bookings"]:
        machine = machines[row["machine"]]
        note = f"{SEED_NOTE}{row['key']}"
        current = Reservation.objects.filter(
            equipment=machine, notes=note, ends_at__gt=now, status__in=Reservation.ACTIVE_STATUSES
        ).first()
        if current is not None:
            booked[row["key"]] = current
            continue
        if row["slot"] >= len(slots):
            continue
        starts_at = slots[row["slot"]]
        ends_at = starts_at + timedelta(hours=row["hours"])
        member = members[row["member"]]
        try:
            with transaction.atomic():
                if row.get("by_member"):  # the member books: a machine that needs approval leaves it pending
                    reservation = reservation_services.reservation_create(
                        actor=member.user, equipment=machine, starts_at=starts_at, ends_at=ends_at, notes=note
                    )
                else:
                    reservation = reservation_services.reservation_create(
                        actor=staff, equipment=machine, member=member, starts_at=starts_at, ends_at=ends_at, notes=note
                    )
        except ConflictError as exc:  # e.g. the slot is taken by someone's real booking, or the day is closed
            stdout.write(f"skipped sample booking {row['key']}: {exc}")
            continue
        booked[row["key"]] = reservation
        made += 1
    for row in data["waitlist"]:
        reservation = booked.get(row["booking"])
        if reservation is None:
            continue
        user = members[row["member"]].user
        waiting = WaitlistEntry.objects.filter(
            user=user, equipment=reservation.equipment, starts_at=reservation.starts_at, ends_at=reservation.ends_at
        )
        if waiting.exists():
            continue
        try:
            with transaction.atomic():
                waitlist_services.waitlist_join(
                    actor=user,
                    equipment=reservation.equipment,
                    starts_at=reservation.starts_at,
                    ends_at=reservation.ends_at,
                )
        except ConflictError as exc:
            stdout.write(f"skipped sample waiting-list entry: {exc}")
    if made:
        stdout.write(f"added {made} sample bookings")


def _seed_inventory(*, space: Makerspace, data: dict, stdout) -> None:
    existing = set(InventoryItem.objects.filter(makerspace=space).values_list("sku", flat=True))
    for row in data["inventory"]:
        if row["sku"] in existing:
            continue
        fields = {key: value for key, value in row.items() if key != "quantity"}
        inventory_services.item_create(
            actor=SYSTEM, makerspace=space, quantity=Decimal(row["quantity"]), currency="INR", **fields
        )
        stdout.write(f"added inventory item {row['sku']}")


def _seed_service_jobs(*, space: Makerspace, data: dict, staff: User, stdout) -> None:
    """Issue #16 item 6: the sample space takes store jobs for FDM printing (PLA, PETG) and laser cutting, with a
    verified provider running both and filament stocked by weight, so a store job routes, is made and consumes
    stock on a fresh install. Its printer and laser exist already (``run``); the acrylic sheets are sample stock."""
    config = data["service_jobs"]
    settings_row = space_settings_services.space_settings_ensure(makerspace=space)
    # Only a space still at the defaults (never configured for jobs) is switched on: a manager's choice stays.
    if not settings_row.accepts_service_jobs and not settings_row.service_capabilities:
        space_settings_services.space_settings_update(
            actor=staff,
            makerspace=space,
            values={"accepts_service_jobs": True, "service_capabilities": config["capabilities"]},
        )
        stdout.write(f"{space.name} accepts store jobs for {', '.join(config['capabilities'])}")
    row = config["provider"]
    user = _sample_user(row)
    if not Member.objects.filter(makerspace=space, user=user).exists():
        member_services.member_add(makerspace=space, user=user, actor=SYSTEM, reason="seed")
    if not ServiceProvider.objects.filter(user=user).exists():
        provider = provider_services.provider_profile_save(
            actor=user,
            display_name=row["display_name"],
            bio=row["bio"],
            makerspaces=[space],
            hourly_rate=Decimal(row["hourly_rate"]),
            currency="INR",
            availability_note=row["availability_note"],
            capabilities=row["capabilities"],
        )
        provider_services.provider_verify(actor=staff, provider=provider, verified=True)
        stdout.write(f"added verified service provider {user.username}")
    _seed_inventory(space=space, data={"inventory": config["inventory"]}, stdout=stdout)
