"""Makerspace models, split by domain; import them from here."""

from makerspace.models.badges import Badge, MemberBadge
from makerspace.models.calendar import CalendarToken
from makerspace.models.equipment import Equipment, EquipmentStatusChange
from makerspace.models.incidents import SafetyIncident
from makerspace.models.inventory import InventoryItem, StockMovement
from makerspace.models.invites import Invite
from makerspace.models.jobs import ServiceJob, ServiceJobEvent
from makerspace.models.maintenance import MaintenanceInterval, MaintenanceTicket, MaintenanceWindow
from makerspace.models.members import Member, MemberEvent
from makerspace.models.plans import MembershipPlan, Subscription
from makerspace.models.pricing import CostRule, PromoCode, PromoRedemption
from makerspace.models.project_bom import BOMLine
from makerspace.models.projects import (
    Project,
    ProjectBookmark,
    ProjectCollaborator,
    ProjectComment,
    ProjectFile,
    ProjectLike,
    ProjectMilestone,
    ProjectTag,
    ProjectTask,
    ProjectViewDay,
)
from makerspace.models.providers import ProviderCapability, ServiceProvider
from makerspace.models.ratings import EquipmentRating
from makerspace.models.reservations import Reservation, ReservationEvent, ReservationSeries
from makerspace.models.skills import MemberSkill, MemberSkillEvent, Skill, SkillRequest
from makerspace.models.space_settings import SpaceSettings
from makerspace.models.spaces import Closure, Makerspace, OpeningHours
from makerspace.models.usage import UsageSession
from makerspace.models.waitlist import WaitlistEntry

__all__ = [
    "BOMLine",
    "Badge",
    "CalendarToken",
    "Closure",
    "CostRule",
    "Equipment",
    "EquipmentRating",
    "EquipmentStatusChange",
    "InventoryItem",
    "Invite",
    "MaintenanceInterval",
    "MaintenanceTicket",
    "MaintenanceWindow",
    "Makerspace",
    "Member",
    "MemberBadge",
    "MemberEvent",
    "MemberSkill",
    "MemberSkillEvent",
    "MembershipPlan",
    "OpeningHours",
    "Project",
    "ProjectBookmark",
    "ProjectCollaborator",
    "ProjectComment",
    "ProjectFile",
    "ProjectLike",
    "ProjectMilestone",
    "ProjectTag",
    "ProjectTask",
    "ProjectViewDay",
    "PromoCode",
    "PromoRedemption",
    "ProviderCapability",
    "Reservation",
    "ReservationEvent",
    "ReservationSeries",
    "SafetyIncident",
    "ServiceJob",
    "ServiceJobEvent",
    "ServiceProvider",
    "Skill",
    "SkillRequest",
    "SpaceSettings",
    "StockMovement",
    "Subscription",
    "UsageSession",
    "WaitlistEntry",
]
