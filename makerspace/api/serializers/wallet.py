"""Credit wallets: balance, ledger, top-ups."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import ID
from makerspace.api.serializers.invoices import MONEY
from makerspace.models import WalletEntry
from makrx.payments.models import OFFLINE_METHODS, Gateway


class WalletQuerySerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID)
    member = serializers.IntegerField(required=False, **ID, help_text="Staff: another member's wallet.")


class WalletOutputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField()
    member = serializers.IntegerField()
    balance = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()


class WalletTopUpSerializer(serializers.Serializer):
    """Members: ``{makerspace, amount, provider}`` (a gateway payment). Staff: ``{member, amount, method,
    reference}`` for money taken at the desk."""

    makerspace = serializers.IntegerField(required=False, **ID)
    member = serializers.IntegerField(required=False, **ID)
    amount = serializers.DecimalField(**MONEY, min_value=0, max_value=10**7)
    provider = serializers.ChoiceField(choices=Gateway.choices, required=False)
    method = serializers.ChoiceField(choices=list(OFFLINE_METHODS), required=False)
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if ("provider" in attrs) == ("method" in attrs):
            raise serializers.ValidationError({"provider": ["Give a provider (online) or a method (staff, offline)."]})
        if "method" in attrs and "member" not in attrs:
            raise serializers.ValidationError({"member": ["Offline top-ups name the member."]})
        if "provider" in attrs and "makerspace" not in attrs:
            raise serializers.ValidationError({"makerspace": ["Required."]})
        return attrs


class WalletTopUpOutputSerializer(serializers.Serializer):
    payment = serializers.IntegerField()
    provider = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    client_secret = serializers.CharField(allow_blank=True)
    checkout = serializers.DictField()
    balance = serializers.DecimalField(**MONEY)


class WalletEntryOutputSerializer(serializers.ModelSerializer):
    makerspace = serializers.IntegerField(source="wallet.makerspace_id", read_only=True)
    member = serializers.IntegerField(source="wallet.member_id", read_only=True)

    class Meta:
        model = WalletEntry
        fields = [
            "id",
            "makerspace",
            "member",
            "kind",
            "amount",
            "balance_after",
            "description",
            "reference",
            "created_at",
        ]


class WalletReservationPaymentSerializer(serializers.Serializer):
    reservation = serializers.IntegerField(**ID)
