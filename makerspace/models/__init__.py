"""Makerspace models, split by domain; import them from here."""

from makerspace.models.calendar import CalendarToken
from makerspace.models.equipment import Equipment, EquipmentStatusChange
from makerspace.models.inventory import InventoryItem, StockMovement
from makerspace.models.maintenance import MaintenanceTicket, MaintenanceWindow
from makerspace.models.members import Member, MemberEvent
from makerspace.models.plans import MembershipPlan, Subscription
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
from makerspace.models.reservations import Reservation
from makerspace.models.skills import MemberSkill, Skill
from makerspace.models.spaces import Closure, Makerspace, OpeningHours
from makerspace.models.usage import UsageSession

__all__ = [
    "BOMLine",
    "CalendarToken",
    "Closure",
    "Equipment",
    "EquipmentStatusChange",
    "InventoryItem",
    "MaintenanceTicket",
    "MaintenanceWindow",
    "Makerspace",
    "Member",
    "MemberEvent",
    "MemberSkill",
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
    "ProviderCapability",
    "Reservation",
    "ServiceProvider",
    "Skill",
    "StockMovement",
    "Subscription",
    "UsageSession",
]
