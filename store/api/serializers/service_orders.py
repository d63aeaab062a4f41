"""Service-order request/response shapes."""

from __future__ import annotations

from rest_framework import serializers

from makrx.api import fields
from store.models import ServiceOrder


class ServiceOrderInputSerializer(serializers.Serializer):
    quote = serializers.IntegerField(min_value=1)
    delivery = serializers.ChoiceField(choices=ServiceOrder.Delivery.choices)
    shipping_address = serializers.DictField(required=False, help_text="The address shape the checkout takes.")
    pickup_makerspace = serializers.IntegerField(required=False, min_value=1)
    email = serializers.EmailField(required=False, default="", allow_blank=True)

    def validate(self, attrs):
        if attrs["delivery"] == ServiceOrder.Delivery.SHIP and not attrs.get("shipping_address"):
            raise serializers.ValidationError({"shipping_address": ["Required to ship."]})
        if attrs["delivery"] == ServiceOrder.Delivery.PICKUP and not attrs.get("pickup_makerspace"):
            raise serializers.ValidationError({"pickup_makerspace": ["Required for pickup."]})
        return attrs


class ServiceOrderOrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()


class ServiceOrderEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    created_at = fields.DateTimeField()


class ServiceOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    title = serializers.CharField()
    quote = serializers.IntegerField(source="quote_id")
    order = ServiceOrderOrderSerializer()
    delivery = serializers.CharField()
    shipping_address = serializers.DictField()
    pickup_makerspace = serializers.IntegerField(source="pickup_makerspace_ref", allow_null=True)
    created_at = fields.DateTimeField()
    paid_at = fields.DateTimeField(allow_null=True)
    published_at = fields.DateTimeField(allow_null=True)


class ServiceOrderDetailSerializer(ServiceOrderSerializer):
    events = ServiceOrderEventSerializer(many=True)
    outbound_message = serializers.DictField(allow_null=True, help_text="The job message for the bridge.")
