"""Invoices: lists scoped by the selectors, drafts and actions by the invoice services, the PDF document."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.filters import InvoiceFilter
from makerspace.api.serializers import invoices as s
from makerspace.api.views.base import MakerspaceApi, PostOnlyAction, conflict_response, member_from_input
from makerspace.selectors import invoices as invoice_selectors
from makerspace.services import invoice_documents
from makerspace.services import invoice_payments as payment_services
from makerspace.services import invoices as invoice_services
from makrx.payments.services import PaymentStart

TAGS = ["makerspace: invoices"]


class InvoiceListCreateApi(MakerspaceApi):
    serializer_class = s.InvoiceOutputSerializer
    filterset_class = InvoiceFilter
    ordering_fields = ["created_at", "issued_at", "due_on", "total"]

    def get_queryset(self):
        return invoice_selectors.invoice_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.InvoiceOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.InvoiceOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=s.InvoiceCreateSerializer,
        responses={201: s.InvoiceDetailOutputSerializer, 409: conflict_response("nothing_to_bill")},
    )
    def post(self, request):
        serializer = s.InvoiceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = member_from_input(data["member"])
        if data.get("lines"):
            invoice = invoice_services.invoice_draft_create(
                actor=request.user, member=member, lines=data["lines"], notes=data["notes"]
            )
        else:
            invoice = invoice_services.invoice_draft_from_records(
                actor=request.user, member=member, period_from=data["period_from"], period_to=data["period_to"]
            )
        return Response(invoice_detail(user=request.user, pk=invoice.pk), status=status.HTTP_201_CREATED)


def invoice_detail(*, user, pk: int) -> dict:
    """One invoice as the detail endpoints answer it (what ``user`` may see)."""
    return s.InvoiceDetailOutputSerializer(invoice_selectors.invoice_detail_queryset(user=user).get(pk=pk)).data


class InvoiceDetailApi(MakerspaceApi):
    serializer_class = s.InvoiceDetailOutputSerializer

    def get_queryset(self):
        return invoice_selectors.invoice_detail_queryset(user=self.request.user)

    def detail(self, pk: int) -> dict:
        return invoice_detail(user=self.request.user, pk=pk)

    @extend_schema(tags=TAGS, responses=s.InvoiceDetailOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.InvoiceDetailOutputSerializer(self.get_object()).data)


class InvoiceIssueApi(PostOnlyAction, InvoiceDetailApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: s.InvoiceDetailOutputSerializer, 409: conflict_response("invalid_transition, invoice_empty")},
    )
    def post(self, request, pk: int):
        invoice = invoice_services.invoice_issue(invoice=self.get_object(), actor=request.user)
        return Response(self.detail(invoice.pk))


class InvoiceVoidApi(PostOnlyAction, InvoiceDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.InvoiceVoidSerializer,
        responses={
            200: s.InvoiceDetailOutputSerializer,
            409: conflict_response("invalid_transition, invoice_has_payments"),
        },
    )
    def post(self, request, pk: int):
        serializer = s.InvoiceVoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = invoice_services.invoice_void(
            invoice=self.get_object(), actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(self.detail(invoice.pk))


class InvoicePayApi(PostOnlyAction, InvoiceDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.InvoicePaySerializer,
        responses={
            200: s.InvoicePayOutputSerializer,
            409: conflict_response("invalid_transition, insufficient_credit"),
            503: conflict_response("payments_unavailable"),
        },
    )
    def post(self, request, pk: int):
        serializer = s.InvoicePaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = self.get_object()
        result = payment_services.invoice_pay(
            invoice=invoice,
            actor=request.user,
            method=serializer.validated_data["method"],
            idempotency_key=request.headers.get("Idempotency-Key") or None,
        )
        started = s.PaymentStartOutputSerializer(result).data if isinstance(result, PaymentStart) else None
        return Response({"invoice": self.detail(invoice.pk), "payment": started})


class InvoiceMarkPaidApi(PostOnlyAction, InvoiceDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.InvoiceMarkPaidSerializer,
        responses={200: s.InvoiceDetailOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        serializer = s.InvoiceMarkPaidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice = self.get_object()
        payment_services.invoice_mark_paid(
            invoice=invoice,
            actor=request.user,
            method=data["method"],
            reference=data["reference"],
            amount=data.get("amount"),
        )
        return Response(self.detail(invoice.pk))


class InvoiceRefundApi(PostOnlyAction, InvoiceDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.InvoiceRefundSerializer,
        responses={
            200: s.InvoiceDetailOutputSerializer,
            409: conflict_response("invalid_transition, refund_exceeds_paid"),
            503: conflict_response("payments_unavailable"),
        },
    )
    def post(self, request, pk: int):
        serializer = s.InvoiceRefundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice = payment_services.invoice_refund(
            invoice=self.get_object(),
            actor=request.user,
            amount=data["amount"],
            destination=data["destination"],
            reason=data["reason"],
        )
        return Response(self.detail(invoice.pk))


class InvoicePdfApi(InvoiceDetailApi):
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        tags=TAGS,
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The invoice as PDF.")},
    )
    def get(self, request, pk: int):
        invoice = self.get_object()
        response = HttpResponse(invoice_documents.invoice_pdf(invoice), content_type="application/pdf")
        name = invoice.number or f"draft-{invoice.pk}"
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
