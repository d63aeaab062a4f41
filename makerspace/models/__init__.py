"""Makerspace models, split by domain; import them from here."""

from makerspace.models.calendar import CalendarToken
from makerspace.models.equipment import Equipment, EquipmentStatusChange
from makerspace.models.maintenance import MaintenanceTicket, MaintenanceWindow
from makerspace.models.members import Member, MemberEvent
from makerspace.models.plans import MembershipPlan, Subscription
from makerspace.models.pricing import CostRule, PromoCode, PromoRedemption
from makerspace.models.reservations import Reservation, ReservationEvent, ReservationSeries
from makerspace.models.skills import MemberSkill, Skill
from makerspace.models.spaces import Closure, Makerspace, OpeningHours
from makerspace.models.usage import UsageSession
from makerspace.models.waitlist import WaitlistEntry

__all__ = [
    "CalendarToken",
    "Closure",
    "CostRule",
    "Equipment",
    "EquipmentStatusChange",
    "MaintenanceTicket",
    "MaintenanceWindow",
    "Makerspace",
    "Member",
    "MemberEvent",
    "MemberSkill",
    "MembershipPlan",
    "OpeningHours",
    "PromoCode",
    "PromoRedemption",
    "Reservation",
    "ReservationEvent",
    "ReservationSeries",
    "Skill",
    "Subscription",
    "UsageSession",
    "WaitlistEntry",
]
