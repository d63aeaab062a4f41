"""Shapes of /api/v1/makerspace/analytics/{report}/: the query and each report's series and totals."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from makerspace.api.serializers.common import ID
from makerspace.selectors.analytics import BUCKETS
from makrx.api.fields import DateField


class AnalyticsQuerySerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID, help_text="The makerspace (its staff, or platform admins).")
    to = DateField(required=False, help_text="Last local day included (default: today in the makerspace).")
    bucket = serializers.ChoiceField(choices=list(BUCKETS), default="day")
    format = serializers.ChoiceField(choices=["json", "csv"], required=False, help_text="csv: the series as CSV.")


# ``from`` is a Python keyword: declared by name.
AnalyticsQuerySerializer._declared_fields["from"] = DateField(
    required=False, help_text="First local day included (default: 29 days before `to`)."
)


def _report(name: str, series_fields: dict, totals_fields: dict, doc: str):
    series = type(f"{name}SeriesSerializer", (serializers.Serializer,), {"start": DateField(), **series_fields})
    totals = type(f"{name}TotalsSerializer", (serializers.Serializer,), totals_fields)
    body = {
        "__doc__": doc,
        "report": serializers.CharField(),
        "bucket": serializers.ChoiceField(choices=list(BUCKETS)),
        "makerspace": serializers.IntegerField(),
        "timezone": serializers.CharField(),
        "to": DateField(),
        "series": series(many=True),
        "totals": totals(),
    }
    serializer = type(f"{name}ReportSerializer", (serializers.Serializer,), body)
    serializer._declared_fields["from"] = DateField()
    return serializer


def _hours_fields():
    return {
        "reserved_hours": serializers.FloatField(),
        "used_hours": serializers.FloatField(),
        "open_hours": serializers.FloatField(),
        "utilization": serializers.FloatField(allow_null=True, help_text="reserved / open; null when never open."),
    }


class EquipmentUtilizationSerializer(serializers.Serializer):
    equipment = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    reserved_hours = serializers.FloatField()
    used_hours = serializers.FloatField()
    open_hours = serializers.FloatField()
    utilization = serializers.FloatField(allow_null=True)


class TypeUtilizationSerializer(serializers.Serializer):
    type = serializers.CharField()
    machines = serializers.IntegerField()
    reserved_hours = serializers.FloatField()
    used_hours = serializers.FloatField()
    open_hours = serializers.FloatField()
    utilization = serializers.FloatField(allow_null=True)


class PeakSerializer(serializers.Serializer):
    weekday = serializers.CharField()
    hour = serializers.IntegerField()
    reservations = serializers.IntegerField()


def _status_fields():
    return {
        "total": serializers.IntegerField(),
        "by_status": serializers.DictField(child=serializers.IntegerField(), help_text="Count per status."),
        "no_show_rate": serializers.FloatField(
            allow_null=True, help_text="no_show / (checked_in + completed + no_show); null when none was due."
        ),
    }


UtilizationReportSerializer = _report(
    "Utilization",
    _hours_fields(),
    {
        **_hours_fields(),
        "machines": serializers.IntegerField(),
        "by_equipment": EquipmentUtilizationSerializer(many=True),
        "by_type": TypeUtilizationSerializer(many=True),
    },
    "Reserved and used machine-hours over open machine-hours (active machines × opening hours, closures excluded).",
)
ReservationsReportSerializer = _report(
    "Reservations", _status_fields(), _status_fields(), "Reservations starting in each bucket, by status."
)
PeakHoursReportSerializer = _report(
    "PeakHours",
    {"reservations": serializers.IntegerField()},
    {
        "reservations": serializers.IntegerField(),
        "weekdays": serializers.ListField(child=serializers.CharField()),
        "matrix": serializers.ListField(
            child=serializers.ListField(child=serializers.IntegerField()),
            help_text="7 rows (Monday first) × 24 local start hours: reservations not cancelled/rejected.",
        ),
        "peak": PeakSerializer(allow_null=True),
    },
    "Demand by local weekday and start hour.",
)
MembersReportSerializer = _report(
    "Members",
    {"new": serializers.IntegerField(), "churned": serializers.IntegerField(), "active": serializers.IntegerField()},
    {
        "new": serializers.IntegerField(),
        "churned": serializers.IntegerField(),
        "active_at_start": serializers.IntegerField(),
        "active_at_end": serializers.IntegerField(),
    },
    "Members who became active (new), left active (churned), and active at each bucket's end.",
)


def _revenue_fields():
    return {
        "revenue": serializers.CharField(help_text="Billable records in the bucket, refunds and adjustments negative."),
        "by_kind": serializers.DictField(child=serializers.CharField(), help_text="The same per record kind."),
        "collected": serializers.CharField(help_text="Invoice payments less refunds booked in the bucket."),
    }


RevenueReportSerializer = _report(
    "Revenue",
    _revenue_fields(),
    {**_revenue_fields(), "available": serializers.BooleanField()},
    "Revenue from the transactions ledger (subscriptions, bookings, usage, overage, materials, fees, refunds, "
    "adjustments) by the bucket each record occurred in, and money collected on invoices by when it was booked. "
    "Amounts are decimal strings in the makerspace's currency.",
)


class InventoryKindSerializer(serializers.Serializer):
    quantity = serializers.CharField(help_text="Signed net change (negative draws stock), 3 decimals.")
    value = serializers.CharField(help_text="quantity × the item's current unit cost, rounded per movement.")


def _inventory_fields():
    return {
        "consumed_quantity": serializers.CharField(help_text="Drawn by usage, job, project and damage (3 decimals)."),
        "consumed_value": serializers.CharField(help_text="Its value at the items' current unit cost."),
        "restocked_quantity": serializers.CharField(help_text="Added by restock movements."),
        "restocked_value": serializers.CharField(),
        "by_kind": serializers.DictField(
            child=InventoryKindSerializer(), help_text="Per movement kind present in the bucket."
        ),
    }


InventoryReportSerializer = _report(
    "Inventory",
    _inventory_fields(),
    {
        **_inventory_fields(),
        "stock_value_at_end": serializers.CharField(
            help_text="Every item's quantity at the period's end × its current unit cost."
        ),
        "available": serializers.BooleanField(),
    },
    "Consumption and restocking from the inventory ledger, by the bucket each movement was recorded in. "
    "Adjustments, stocktakes and transfers are not consumption (see by_kind). The ledger keeps no cost: "
    "values use the items' current unit cost. Quantities add up across units.",
)


def _jobs_fields():
    return {
        "received": serializers.IntegerField(),
        "completed": serializers.IntegerField(),
        "shipped": serializers.IntegerField(),
        "rejected": serializers.IntegerField(),
        "cancelled": serializers.IntegerField(),
        "turnaround_hours_median": serializers.FloatField(allow_null=True),
        "turnaround_hours_mean": serializers.FloatField(allow_null=True),
    }


JobsReportSerializer = _report(
    "Jobs",
    _jobs_fields(),
    _jobs_fields(),
    "Service jobs from the store: how many reached each moment (received, completed, shipped, rejected, "
    "cancelled) in each bucket, and the hours from receipt to completion of the jobs completed in it "
    "(median and mean; null when none).",
)

AnalyticsReportSerializer = PolymorphicProxySerializer(
    component_name="AnalyticsReport",
    serializers={
        "utilization": UtilizationReportSerializer,
        "reservations": ReservationsReportSerializer,
        "peak-hours": PeakHoursReportSerializer,
        "members": MembersReportSerializer,
        "revenue": RevenueReportSerializer,
        "inventory": InventoryReportSerializer,
        "jobs": JobsReportSerializer,
    },
    resource_type_field_name="report",
)
