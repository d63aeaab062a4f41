"""Makerspace models, split by domain; import them from here."""

from makerspace.models.badges import Badge, MemberBadge
from makerspace.models.calendar import CalendarToken
from makerspace.models.equipment import Equipment, EquipmentStatusChange
from makerspace.models.incidents import SafetyIncident
from makerspace.models.invites import Invite
from makerspace.models.maintenance import MaintenanceInterval, MaintenanceTicket, MaintenanceWindow
from makerspace.models.members import Member, MemberEvent
from makerspace.models.plans import MembershipPlan, Subscription
from makerspace.models.pricing import CostRule, PromoCode, PromoRedemption
from makerspace.models.ratings import EquipmentRating
from makerspace.models.reservations import Reservation, ReservationEvent, ReservationSeries
from makerspace.models.skills import MemberSkill, MemberSkillEvent, Skill, SkillRequest
from makerspace.models.spaces import Closure, Makerspace, OpeningHours
from makerspace.models.usage import UsageSession
from makerspace.models.waitlist import WaitlistEntry

__all__ = [
    "Badge",
    "EquipmentRating",
    "MaintenanceInterval",
    "MemberBadge",
    "SafetyIncident",
    "CalendarToken",
    "Closure",
    "CostRule",
    "Equipment",
    "EquipmentStatusChange",
    "Invite",
    "MaintenanceTicket",
    "MaintenanceWindow",
    "Makerspace",
    "Member",
    "MemberEvent",
    "MemberSkill",
    "MemberSkillEvent",
    "MembershipPlan",
    "OpeningHours",
    "PromoCode",
    "PromoRedemption",
    "Reservation",
    "ReservationEvent",
    "ReservationSeries",
    "Skill",
    "SkillRequest",
    "Subscription",
    "UsageSession",
    "WaitlistEntry",
]
