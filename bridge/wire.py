"""The bridge wire contract (DESIGN.md §7): the bodies each receiver accepts, as DRF serializers that both the
receiver service (validation) and the OpenAPI schema use. Extra fields are ignored (older and newer senders)."""

from __future__ import annotations

import threading

from rest_framework import serializers

WIRE_STATUSES = ("PUBLISHED", "ACCEPTED", "PRINTING", "READY", "SHIPPED", "COMPLETED", "CANCELLED")


class EnvelopeSerializer(serializers.Serializer):
    """What every message carries: its identity (the dedupe key) and when it was sent (±5 minutes)."""

    event_id = serializers.CharField(max_length=100, required=False, help_text="The sender's message id.")
    sent_at = serializers.DateTimeField(required=False, help_text="ISO 8601; refused outside ±5 minutes.")


class RequirementsSerializer(serializers.Serializer):
    material = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    quality = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    est_weight_g = serializers.FloatField(required=False, default=0, min_value=0)
    est_time_min = serializers.FloatField(required=False, default=0, min_value=0)
    capabilities = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list, max_length=20
    )


class CustomerSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class JobCreateSerializer(EnvelopeSerializer):
    """store -> makerspace: ``POST /api/v1/bridge/jobs``."""

    external_order_id = serializers.CharField(max_length=64)
    source = serializers.CharField(max_length=32, required=False, default="store")
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    file_url = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    requirements = RequirementsSerializer(required=False, default=dict)
    delivery = serializers.JSONField(required=False, default=dict)
    priority = serializers.CharField(max_length=20, required=False, default="normal")
    # Additions of this platform (an older receiver ignores them).
    quantity = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100000)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)
    currency = serializers.CharField(max_length=3, required=False, allow_null=True, default=None)
    customer = CustomerSerializer(required=False, allow_null=True, default=None)
    makerspace_id = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class JobCreatedSerializer(serializers.Serializer):
    job_id = serializers.CharField()
    routing = serializers.CharField(help_text='Always "published".')
    accept_url = serializers.CharField()
    duplicate = serializers.BooleanField(required=False)


class JobCancelSerializer(EnvelopeSerializer):
    """store -> makerspace: ``POST /api/v1/bridge/jobs/{external_order_id}/cancel`` (the order was cancelled or
    refunded after it was published)."""

    external_order_id = serializers.CharField(max_length=64, help_text="Must equal the path's.")
    source = serializers.CharField(max_length=32, required=False, default="store")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class JobCancelledSerializer(serializers.Serializer):
    job_id = serializers.CharField()
    status = serializers.CharField(help_text='"cancelled" (or "rejected": it was refused before).')
    result = serializers.CharField(help_text="applied, or duplicate.")
    duplicate = serializers.BooleanField(required=False)


class MilestoneSerializer(serializers.Serializer):
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class JobStatusSerializer(EnvelopeSerializer):
    """makerspace -> store: ``POST /api/bridge/jobs/{job_id}/status``."""

    service_order_id = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=[(s, s) for s in WIRE_STATUSES])
    milestone = MilestoneSerializer(required=False, default=dict)

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("status"), str):
            data = {**data, "status": data["status"].upper()}  # the earlier services sent either case
        return super().to_internal_value(data)


class StatusReceivedSerializer(serializers.Serializer):
    """202 for a new delivery (stored; applied right after by the store's worker), 200 for a duplicate."""

    received = serializers.BooleanField()
    result = serializers.CharField(
        help_text="queued (202: stored, applied after the answer; out-of-order statuses are then recorded and "
        "ignored) or duplicate (200: this event was stored before)."
    )
    service_order_id = serializers.IntegerField()
    status = serializers.CharField(help_text="The service order's status at receipt (before this delivery's apply).")
    delivery_id = serializers.IntegerField(required=False, help_text="The stored delivery (202 only).")
    duplicate = serializers.BooleanField(required=False)


class AccountSerializer(serializers.Serializer):
    """Whose store account: the Keycloak subject when known, else the username (never the email alone)."""

    sub = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    username = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class SupplyLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=10000)


class ReorderListSerializer(EnvelopeSerializer):
    """makerspace -> store: a quick reorder (low-stock store items) as the account's reorder list ``name``."""

    account = AccountSerializer()
    name = serializers.CharField(max_length=200)
    lines = SupplyLineSerializer(many=True, max_length=1000)


class BomCartSerializer(EnvelopeSerializer):
    """makerspace -> store: a project BOM's store lines into the account's cart."""

    account = AccountSerializer()
    reference = serializers.CharField(max_length=100, help_text="What the lines came from (project id).")
    lines = SupplyLineSerializer(many=True, max_length=1000)


class SupplyReceivedSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    result = serializers.CharField()
    added = serializers.ListField(child=serializers.DictField(), required=False)
    short = serializers.ListField(child=serializers.DictField(), required=False)
    reorder_list = serializers.IntegerField(required=False)


_per_thread = threading.local()


def wire_validate(serializer_class: type[serializers.Serializer], data) -> dict:
    """``serializer_class(data=data)``'s validated data, or DRF's ``ValidationError`` with its ``{field: [...]}``
    detail: the same validation as ``is_valid()``, without building a serializer per message.

    Building one deep-copies and binds its declared fields (nested ones too), which cost more than everything
    else a small status delivery does. ``run_validation`` keeps nothing on the instance, so each thread keeps
    one instance per class and reuses its bound fields; threads never share one."""
    instances = getattr(_per_thread, "instances", None)
    if instances is None:
        instances = _per_thread.instances = {}
    serializer = instances.get(serializer_class)
    if serializer is None:
        serializer = instances[serializer_class] = serializer_class()
    return serializer.run_validation(data)
