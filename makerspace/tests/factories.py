"""factory_boy factories for makerspace models (shared by every makerspace test module)."""

from __future__ import annotations

import hashlib
from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from makerspace.models import (
    Badge,
    BOMLine,
    CalendarToken,
    Closure,
    CostRule,
    Equipment,
    EquipmentRating,
    EquipmentStatusChange,
    InventoryItem,
    Invite,
    MaintenanceInterval,
    MaintenanceTicket,
    MaintenanceWindow,
    Makerspace,
    Member,
    MemberEvent,
    MembershipPlan,
    MemberSkill,
    OpeningHours,
    Project,
    ProjectComment,
    ProjectFile,
    ProjectMilestone,
    ProjectTask,
    PromoCode,
    ProviderCapability,
    Reservation,
    SafetyIncident,
    ServiceJob,
    ServiceProvider,
    Skill,
    SkillRequest,
    StockMovement,
    Subscription,
    UsageSession,
    WaitlistEntry,
)
from makrx.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"maker{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    keycloak_sub = factory.LazyAttribute(lambda o: f"sub-{o.username}")
    roles = factory.LazyFunction(list)


class MakerspaceFactory(factory.django.DjangoModelFactory):
    """A makerspace open every day 00:00–23:59 unless ``with_hours=False`` (then add OpeningHours yourself)."""

    class Meta:
        model = Makerspace
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Space {n}")
    slug = factory.Sequence(lambda n: f"space-{n}")
    timezone = "UTC"
    address = "1 Workshop Lane"
    contact_email = "hello@space.example"
    join_policy = Makerspace.JoinPolicy.APPROVAL
    active = True

    @factory.post_generation
    def with_hours(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        OpeningHours.objects.bulk_create(
            [OpeningHours(makerspace=obj, weekday=day, opens=time(0, 0), closes=time(23, 59)) for day in range(7)]
        )


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    makerspace = factory.SubFactory(MakerspaceFactory, with_hours=False)
    weekday = 0
    opens = time(9, 0)
    closes = time(21, 0)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    makerspace = factory.SubFactory(MakerspaceFactory)
    starts_on = factory.LazyFunction(lambda: timezone.now().date() + timedelta(days=10))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on)
    reason = "Holiday"


class MembershipPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipPlan

    makerspace = factory.SubFactory(MakerspaceFactory)
    name = factory.Sequence(lambda n: f"Plan {n}")
    price = Decimal("1500.00")
    currency = "INR"
    billing_period = MembershipPlan.BillingPeriod.MONTH
    included_hours = Decimal("10")
    equipment_types = factory.LazyFunction(list)
    max_reservation_minutes = None
    max_reservations_per_week = None
    active = True


class MemberFactory(factory.django.DjangoModelFactory):
    """An active ``member`` of a makerspace; pass role=/status= for others."""

    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    makerspace = factory.SubFactory(MakerspaceFactory)
    role = Member.Role.MEMBER
    status = Member.Status.ACTIVE
    plan = None
    joined_at = factory.LazyFunction(timezone.now)


class MemberEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberEvent

    member = factory.SubFactory(MemberFactory)
    from_status = Member.Status.PENDING
    to_status = Member.Status.ACTIVE


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    member = factory.SubFactory(MemberFactory)
    plan = factory.SubFactory(MembershipPlanFactory, makerspace=factory.SelfAttribute("..member.makerspace"))
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=30))
    status = Subscription.Status.ACTIVE
    auto_renew = False


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    makerspace = factory.SubFactory(MakerspaceFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")
    level = 1
    description = ""


class MemberSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberSkill

    member = factory.SubFactory(MemberFactory)
    skill = factory.SubFactory(SkillFactory, makerspace=factory.SelfAttribute("..member.makerspace"))
    granted_at = factory.LazyFunction(timezone.now)
    expires_at = None


class EquipmentFactory(factory.django.DjangoModelFactory):
    """An available machine; ``required_skills=[skill, ...]`` to require skills."""

    class Meta:
        model = Equipment
        skip_postgeneration_save = True

    makerspace = factory.SubFactory(MakerspaceFactory)
    name = factory.Sequence(lambda n: f"Machine {n}")
    slug = factory.Sequence(lambda n: f"machine-{n}")
    equipment_type = Equipment.Type.PRINTER_3D
    status = Equipment.Status.AVAILABLE
    hourly_rate = Decimal("200.00")
    currency = "INR"
    location = "Bay 1"
    specs = factory.LazyFunction(lambda: {"build_volume_mm": [220, 220, 250]})
    active = True

    @factory.post_generation
    def required_skills(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.required_skills.set(extracted)


class EquipmentStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquipmentStatusChange

    equipment = factory.SubFactory(EquipmentFactory)
    from_status = Equipment.Status.AVAILABLE
    to_status = Equipment.Status.MAINTENANCE


def _next_hour():
    return timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)


class ReservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reservation

    equipment = factory.SubFactory(EquipmentFactory)
    member = factory.SubFactory(MemberFactory, makerspace=factory.SelfAttribute("..equipment.makerspace"))
    user = factory.LazyAttribute(lambda o: o.member.user if o.member else UserFactory())
    starts_at = factory.LazyFunction(_next_hour)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    status = Reservation.Status.CONFIRMED


class MaintenanceTicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceTicket

    equipment = factory.SubFactory(EquipmentFactory)
    title = "Nozzle clogged"
    description = "Under-extrusion on every print."
    priority = MaintenanceTicket.Priority.MEDIUM
    blocking = False
    status = MaintenanceTicket.Status.OPEN


class MaintenanceWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceWindow

    equipment = factory.SubFactory(EquipmentFactory)
    starts_at = factory.LazyFunction(_next_hour)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    reason = "Scheduled service"


class UsageSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageSession

    equipment = factory.SubFactory(EquipmentFactory)
    member = factory.SubFactory(MemberFactory, makerspace=factory.SelfAttribute("..equipment.makerspace"))
    user = factory.LazyAttribute(lambda o: o.member.user if o.member else UserFactory())
    started_at = factory.LazyFunction(timezone.now)
    hourly_rate = factory.LazyAttribute(lambda o: o.equipment.hourly_rate)
    currency = factory.LazyAttribute(lambda o: o.equipment.currency)


class CalendarTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarToken

    user = factory.SubFactory(UserFactory)


class InviteFactory(factory.django.DjangoModelFactory):
    """A pending invitation; pass ``token=`` to know its link (only the hash is stored)."""

    class Meta:
        model = Invite
        exclude = ("token",)

    makerspace = factory.SubFactory(MakerspaceFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = "member"
    token = factory.Sequence(lambda n: f"factory-invite-token-{n:06d}-abcdefghij")
    token_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.token.encode()).hexdigest())
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class SkillRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillRequest

    member = factory.SubFactory(MemberFactory)
    skill = factory.SubFactory(SkillFactory, makerspace=factory.SelfAttribute("..member.makerspace"))
    note = "Trained last week"


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge

    makerspace = factory.SubFactory(MakerspaceFactory)
    name = factory.Sequence(lambda n: f"Badge {n}")
    min_completed_sessions = 5


class SafetyIncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyIncident

    equipment = factory.SubFactory(EquipmentFactory)
    makerspace = factory.SelfAttribute("equipment.makerspace")
    severity = "minor"
    description = "Offcut thrown by the saw"


class EquipmentRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquipmentRating

    equipment = factory.SubFactory(EquipmentFactory)
    member = factory.SubFactory(MemberFactory, makerspace=factory.SelfAttribute("..equipment.makerspace"))
    score = 4
    comment = "Works well"


class MaintenanceIntervalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceInterval

    equipment = factory.SubFactory(EquipmentFactory)
    title = "Clean and lubricate"
    every_days = 30
    starts_at = factory.LazyFunction(timezone.now)


class CostRuleFactory(factory.django.DjangoModelFactory):
    """A flat fee of the makerspace; pass kind= and the parameters its kind reads for others."""

    class Meta:
        model = CostRule

    makerspace = factory.SubFactory(MakerspaceFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")
    kind = CostRule.Kind.FLAT_FEE
    priority = 100
    amount = Decimal("50.00")


class PromoCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromoCode

    makerspace = factory.SubFactory(MakerspaceFactory)
    code = factory.Sequence(lambda n: f"PROMO{n}")
    kind = PromoCode.Kind.PERCENT
    value = Decimal("10")


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    """A member waiting for a slot (by default the next hour tomorrow) of a machine of their makerspace."""

    class Meta:
        model = WaitlistEntry

    equipment = factory.SubFactory(EquipmentFactory)
    member = factory.SubFactory(MemberFactory, makerspace=factory.SelfAttribute("..equipment.makerspace"))
    user = factory.LazyAttribute(lambda o: o.member.user)
    starts_at = factory.LazyFunction(_next_hour)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))


class InventoryItemFactory(factory.django.DjangoModelFactory):
    """An item with no stock; give ``stock=`` to record an opening restock through the ledger service."""

    class Meta:
        model = InventoryItem
        skip_postgeneration_save = True

    makerspace = factory.SubFactory(MakerspaceFactory)
    sku = factory.Sequence(lambda n: f"INV-{n:05d}")
    name = factory.Sequence(lambda n: f"Filament {n}")
    category = "filament"
    unit = InventoryItem.Unit.PIECE
    unit_cost = Decimal("12.50")
    currency = "INR"
    reorder_level = Decimal("5")

    @factory.post_generation
    def stock(obj, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from django.db import transaction

        from makerspace.services.inventory import _apply
        from makrx.auth.scoping import SYSTEM

        with transaction.atomic():
            _apply(
                item=obj, actor=SYSTEM, kind=StockMovement.Kind.RESTOCK, delta=Decimal(str(extracted)), reason="seed"
            )
        obj.refresh_from_db()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    owner = factory.SubFactory(UserFactory)
    makerspace = factory.SubFactory(MakerspaceFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    description = "A thing we build."
    visibility = Project.Visibility.PUBLIC


class ProjectCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectComment

    project = factory.SubFactory(ProjectFactory)
    author = factory.SubFactory(UserFactory)
    body = "Looks great"


class ProjectFileFactory(factory.django.DjangoModelFactory):
    """A file row naming a stored object that is never written (tests that need bytes upload through the API)."""

    class Meta:
        model = ProjectFile

    project = factory.SubFactory(ProjectFactory)
    file = factory.Sequence(lambda n: f"projects/files/{n:032x}.txt")
    name = factory.Sequence(lambda n: f"notes-{n}.txt")
    size = 12


class ProjectTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectTask

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Task {n}")


class ProjectMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMilestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")


class BOMLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BOMLine

    project = factory.SubFactory(ProjectFactory)
    store_sku = factory.Sequence(lambda n: f"ST-{n:04d}")
    description = "Part"
    quantity = Decimal("2")
    unit_cost = Decimal("5.00")
    currency = "INR"


class ServiceProviderFactory(factory.django.DjangoModelFactory):
    """A verified provider running FDM (PLA, PETG) and laser (plywood, acrylic); pass makerspaces=[...]."""

    class Meta:
        model = ServiceProvider
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Provider {n}")
    hourly_rate = Decimal("500.00")
    currency = "INR"
    verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def makerspaces(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.makerspaces.set(extracted)
            for space in extracted:
                Member.objects.get_or_create(
                    user=obj.user, makerspace=space, defaults={"role": "member", "status": "active"}
                )

    @factory.post_generation
    def capabilities(obj, create, extracted, **kwargs):
        if not create:
            return
        specs = extracted if extracted is not None else [("fdm", ",petg,pla,"), ("laser", ",acrylic,plywood,")]
        ProviderCapability.objects.bulk_create(
            [
                ProviderCapability(provider=obj, process=process, materials=materials, bed_x_mm=250, bed_y_mm=210)
                for process, materials in specs
            ]
        )


def job_space(**kwargs):
    """A makerspace that takes store jobs for 3D printing and laser cutting, with a printer and a laser."""
    from makerspace.models import SpaceSettings

    space = MakerspaceFactory(**kwargs)
    SpaceSettings.objects.create(
        makerspace=space, accepts_service_jobs=True, service_capabilities=["3d_printer", "laser_cutter"]
    )
    EquipmentFactory(makerspace=space, equipment_type=Equipment.Type.PRINTER_3D, name="Printer")
    EquipmentFactory(makerspace=space, equipment_type=Equipment.Type.LASER_CUTTER, name="Laser")
    return space


class ServiceJobFactory(factory.django.DjangoModelFactory):
    """A received job written directly (no routing, no event); tests of behaviour use ``job_receive``."""

    class Meta:
        model = ServiceJob

    makerspace = factory.SubFactory(MakerspaceFactory)
    external_order_id = factory.Sequence(lambda n: f"so-{n}")
    title = factory.Sequence(lambda n: f"Job {n}")
    material = "pla"
    quantity = 1
    requirements = factory.LazyFunction(lambda: {"material": "pla", "est_weight_g": 10, "capabilities": ["print_3d"]})
    delivery = factory.LazyFunction(lambda: {"method": "ship"})
    status = ServiceJob.Status.RECEIVED
    received_at = factory.LazyFunction(timezone.now)
