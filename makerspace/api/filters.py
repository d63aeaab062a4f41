"""List filters of the makerspace API (django-filter): one FilterSet per listed resource.

Bad values answer 400 in the error format (DjangoFilterBackend raises a validation error); ids are
bounded to 64 bits so a huge number is invalid input, never a database overflow; times use the
platform's bounded, aware ``makrx.api.fields.DateTimeFilter``.
"""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.db import models
from django_filters import rest_framework as filters

from makerspace.api.serializers.common import MAX_ID
from makerspace.models import (
    Badge,
    BillableRecord,
    CostRule,
    Equipment,
    InventoryItem,
    Invoice,
    MaintenanceTicket,
    MaintenanceWindow,
    Member,
    MembershipPlan,
    Project,
    PromoCode,
    Reservation,
    SafetyIncident,
    Skill,
    SkillRequest,
    StockMovement,
    Subscription,
    UsageSession,
    WaitlistEntry,
    WalletEntry,
)
from makrx.api import fields


class IdFilter(filters.NumberFilter):
    """A positive 64-bit id (an integer, not a decimal)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictBooleanFormField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is invalid input instead of silently meaning "no filter"."""

    TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanFormField

    def __init__(self, *args, **kwargs):
        # The default widget turns unknown words into "no value" before the field can refuse them.
        kwargs["widget"] = forms.TextInput
        super().__init__(*args, **kwargs)


class MakerspaceFilterSet(filters.FilterSet):
    """Every makerspace list takes ``?makerspace=<id>``; subclasses say where the makerspace id lives."""

    FILTER_DEFAULTS = {**filters.FilterSet.FILTER_DEFAULTS, models.BooleanField: {"filter_class": StrictBooleanFilter}}

    makerspace = IdFilter(field_name="makerspace_id", help_text="Only this makerspace.")


class MemberFilter(MakerspaceFilterSet):
    class Meta:
        model = Member
        fields = ["makerspace", "status", "role"]


class PlanFilter(MakerspaceFilterSet):
    class Meta:
        model = MembershipPlan
        fields = ["makerspace", "billing_period", "active"]


class SubscriptionFilter(MakerspaceFilterSet):
    makerspace = IdFilter(field_name="member__makerspace_id", help_text="Only this makerspace.")
    plan = IdFilter(field_name="plan_id")
    member = IdFilter(field_name="member_id")

    class Meta:
        model = Subscription
        fields = ["makerspace", "status", "plan", "member"]


class SkillRequestFilter(MakerspaceFilterSet):
    makerspace = IdFilter(field_name="member__makerspace_id", help_text="Only this makerspace.")
    skill = IdFilter(field_name="skill_id")
    member = IdFilter(field_name="member_id")

    class Meta:
        model = SkillRequest
        fields = ["makerspace", "status", "skill", "member"]


class SkillFilter(MakerspaceFilterSet):
    class Meta:
        model = Skill
        fields = ["makerspace", "level"]


class EquipmentFilter(MakerspaceFilterSet):
    class Meta:
        model = Equipment
        fields = ["makerspace", "equipment_type", "status", "active"]


class ReservationFilter(MakerspaceFilterSet):
    makerspace = IdFilter(field_name="equipment__makerspace_id", help_text="Only this makerspace.")
    equipment = IdFilter(field_name="equipment_id")
    starts_after = fields.DateTimeFilter(
        field_name="ends_at", lookup_expr="gt", help_text="Reservations still running after this time."
    )
    starts_before = fields.DateTimeFilter(
        field_name="starts_at", lookup_expr="lt", help_text="Reservations starting before this time."
    )

    class Meta:
        model = Reservation
        fields = ["makerspace", "equipment", "status", "starts_after", "starts_before"]


class TicketFilter(MakerspaceFilterSet):
    makerspace = IdFilter(field_name="equipment__makerspace_id", help_text="Only this makerspace.")
    equipment = IdFilter(field_name="equipment_id")

    class Meta:
        model = MaintenanceTicket
        fields = ["makerspace", "equipment", "status", "priority", "blocking"]


class WindowFilter(MakerspaceFilterSet):
    makerspace = IdFilter(field_name="equipment__makerspace_id", help_text="Only this makerspace.")
    equipment = IdFilter(field_name="equipment_id")

    class Meta:
        model = MaintenanceWindow
        fields = ["makerspace", "equipment"]


class UsageSessionFilter(MakerspaceFilterSet):
    makerspace = IdFilter(field_name="equipment__makerspace_id", help_text="Only this makerspace.")
    equipment = IdFilter(field_name="equipment_id")
    open = StrictBooleanFilter(method="filter_open", help_text="true: only sessions still running.")

    class Meta:
        model = UsageSession
        fields = ["makerspace", "equipment", "open"]

    def filter_open(self, queryset, name, value):
        return queryset.filter(ended_at__isnull=True) if value else queryset


class BadgeFilter(MakerspaceFilterSet):
    class Meta:
        model = Badge
        fields = ["makerspace", "active"]


class IncidentFilter(MakerspaceFilterSet):
    equipment = IdFilter(field_name="equipment_id")
    member = IdFilter(field_name="member_id")

    class Meta:
        model = SafetyIncident
        fields = ["makerspace", "status", "severity", "equipment", "member"]


class CostRuleFilter(MakerspaceFilterSet):
    equipment = IdFilter(field_name="equipment_id")

    class Meta:
        model = CostRule
        fields = ["makerspace", "kind", "active", "equipment"]


class PromoCodeFilter(MakerspaceFilterSet):
    class Meta:
        model = PromoCode
        fields = ["makerspace", "kind", "active"]


class WaitlistFilter(MakerspaceFilterSet):
    makerspace = IdFilter(field_name="equipment__makerspace_id", help_text="Only this makerspace.")
    equipment = IdFilter(field_name="equipment_id")

    class Meta:
        model = WaitlistEntry
        fields = ["makerspace", "equipment", "status"]


class InventoryItemFilter(MakerspaceFilterSet):
    low = StrictBooleanFilter(method="filter_low", help_text="true: only items at or below their reorder level.")

    class Meta:
        model = InventoryItem
        fields = ["makerspace", "category", "unit", "supplier", "access_level", "active", "low"]

    def filter_low(self, queryset, name, value):
        low = models.Q(reorder_level__gt=0, quantity__lte=models.F("reorder_level"))
        return queryset.filter(low) if value else queryset.exclude(low)


class StockMovementFilter(filters.FilterSet):
    created_after = fields.DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = fields.DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["kind", "created_after", "created_before"]


class ProjectFilter(MakerspaceFilterSet):
    tag = filters.CharFilter(field_name="tags__name", help_text="Projects with this tag.")
    owner = IdFilter(field_name="owner_id")
    forked_from = IdFilter(field_name="forked_from_id")

    class Meta:
        model = Project
        fields = ["makerspace", "visibility", "status", "tag", "owner", "forked_from"]


class InvoiceFilter(MakerspaceFilterSet):
    member = IdFilter(field_name="member_id")
    issued_after = fields.DateTimeFilter(field_name="issued_at", lookup_expr="gte")
    issued_before = fields.DateTimeFilter(field_name="issued_at", lookup_expr="lt")
    overdue = StrictBooleanFilter(method="filter_overdue", help_text="true: issued and past the due date.")

    class Meta:
        model = Invoice
        fields = ["makerspace", "member", "status", "issued_after", "issued_before", "overdue"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        if value is None:
            return queryset
        overdue = models.Q(status=Invoice.Status.ISSUED, due_on__lt=timezone.now().date())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class BillableRecordFilter(MakerspaceFilterSet):
    """``?kind=``, ``?billed=``, and the period: ``?period=YYYY-MM`` (a calendar month, UTC) or
    ``?occurred_after=&occurred_before=`` (from inclusive, to exclusive)."""

    member = IdFilter(field_name="member_id")
    kind = filters.ChoiceFilter(choices=BillableRecord.Kind.choices)
    billed = StrictBooleanFilter(field_name="billed")
    occurred_after = fields.DateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = fields.DateTimeFilter(field_name="occurred_at", lookup_expr="lt")
    period = filters.CharFilter(
        method="filter_period",
        help_text="A month, YYYY-MM.",
        validators=[RegexValidator(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", "Give a month as YYYY-MM.")],
    )

    class Meta:
        model = BillableRecord
        fields = ["makerspace", "member", "kind", "billed", "occurred_after", "occurred_before", "period"]

    def filter_period(self, queryset, name, value):
        import datetime as dt

        start = dt.datetime.strptime(value, "%Y-%m").replace(tzinfo=dt.UTC)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return queryset.filter(occurred_at__gte=start, occurred_at__lt=end)


class WalletEntryFilter(MakerspaceFilterSet):
    makerspace = IdFilter(field_name="wallet__makerspace_id", help_text="Only this makerspace.")
    member = IdFilter(field_name="wallet__member_id")
    kind = filters.ChoiceFilter(choices=WalletEntry.Kind.choices)

    class Meta:
        model = WalletEntry
        fields = ["makerspace", "member", "kind"]
