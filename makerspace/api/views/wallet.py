"""Credit wallets: balance, ledger and top-ups (the wallet services decide whose wallet a caller may see)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.filters import WalletEntryFilter
from makerspace.api.serializers import wallet as s
from makerspace.api.serializers.invoices import InvoiceDetailOutputSerializer
from makerspace.api.views.base import (
    MakerspaceApi,
    conflict_response,
    makerspace_from_input,
    member_from_input,
    query_params,
)
from makerspace.models import Reservation, WalletEntry
from makerspace.selectors import invoices as invoice_selectors
from makerspace.selectors import wallet as wallet_selectors
from makerspace.services import invoice_payments as payment_services
from makerspace.services import wallet as wallet_services
from makrx import errors
from makrx.payments.services import PaymentStart

TAGS = ["makerspace: wallet"]


class WalletApi(MakerspaceApi):
    queryset = WalletEntry.objects.none()
    serializer_class = s.WalletOutputSerializer

    @extend_schema(tags=TAGS, parameters=[s.WalletQuerySerializer], responses=s.WalletOutputSerializer)
    def get(self, request):
        data = query_params(s.WalletQuerySerializer, request)
        member = wallet_services.wallet_member_for(
            actor=request.user,
            makerspace_id=makerspace_from_input(data["makerspace"]).pk,
            member=member_from_input(data.get("member")),
        )
        wallet = wallet_services.wallet_get_or_create(member=member)
        body = {
            "makerspace": wallet.makerspace_id,
            "member": member.pk,
            "balance": wallet.balance,
            "currency": wallet.currency,
        }
        return Response(s.WalletOutputSerializer(body).data)


class WalletEntryListApi(MakerspaceApi):
    serializer_class = s.WalletEntryOutputSerializer
    filterset_class = WalletEntryFilter

    def get_queryset(self):
        return wallet_selectors.wallet_entry_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.WalletEntryOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.WalletEntryOutputSerializer)


class WalletTopUpApi(MakerspaceApi):
    queryset = WalletEntry.objects.none()
    serializer_class = s.WalletTopUpOutputSerializer

    @extend_schema(
        tags=TAGS,
        request=s.WalletTopUpSerializer,
        responses={201: s.WalletTopUpOutputSerializer, 503: conflict_response("payments_unavailable")},
    )
    def post(self, request):
        serializer = s.WalletTopUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "method" in data:
            member = member_from_input(data["member"])
            result = payment_services.wallet_top_up_record(
                actor=request.user,
                member=member,
                amount=data["amount"],
                method=data["method"],
                reference=data["reference"],
            )
            payment, client_secret, checkout = result, "", {}
        else:
            member = wallet_services.wallet_member_for(
                actor=request.user,
                makerspace_id=makerspace_from_input(data["makerspace"]).pk,
                member=member_from_input(data.get("member")),
            )
            started: PaymentStart = payment_services.wallet_top_up_start(
                actor=request.user,
                member=member,
                amount=data["amount"],
                provider=data["provider"],
                idempotency_key=request.headers.get("Idempotency-Key") or None,
            )
            payment, client_secret, checkout = started.payment, started.client_secret, started.checkout
        wallet = wallet_services.wallet_get_or_create(member=member)
        body = {
            "payment": payment.pk,
            "provider": payment.provider,
            "status": payment.status,
            "amount": payment.amount,
            "currency": payment.currency,
            "client_secret": client_secret,
            "checkout": checkout,
            "balance": wallet.balance,
        }
        return Response(s.WalletTopUpOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class WalletReservationPaymentApi(MakerspaceApi):
    """Pay a booking from the wallet: answers the issued and paid invoice of it."""

    queryset = WalletEntry.objects.none()
    serializer_class = InvoiceDetailOutputSerializer

    @extend_schema(
        tags=TAGS,
        request=s.WalletReservationPaymentSerializer,
        responses={
            201: InvoiceDetailOutputSerializer,
            409: conflict_response("insufficient_credit, nothing_to_pay, already_invoiced, invalid_transition"),
        },
    )
    def post(self, request):
        serializer = s.WalletReservationPaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reservation = Reservation.objects.filter(pk=serializer.validated_data["reservation"]).first()
        if reservation is None:
            raise errors.ValidationError("Unknown reservation.", errors={"reservation": ["Unknown reservation."]})
        invoice = payment_services.reservation_pay_with_wallet(reservation=reservation, actor=request.user)
        detail = invoice_selectors.invoice_detail_queryset(user=request.user).get(pk=invoice.pk)
        return Response(InvoiceDetailOutputSerializer(detail).data, status=status.HTTP_201_CREATED)
