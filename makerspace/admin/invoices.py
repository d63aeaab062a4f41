"""Admin for invoices: lines, payments and credit notes inline (read-only), issue/void/mark-paid actions through
the invoice services, and the invoice as HTML and PDF."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import CreditNote, Invoice, InvoiceLine, InvoicePayment
from makerspace.services import invoice_documents
from makerspace.services import invoice_payments as payment_services
from makerspace.services import invoices as invoice_services
from makerspace.services.invoice_payments import OFFLINE_METHODS
from makrx.admin.readonly import ReadOnlyInline


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = (
        "position",
        "description",
        "quantity",
        "unit_price",
        "amount",
        "tax_rate",
        "cgst",
        "sgst",
        "igst",
        "line_total",
        "record",
    )


class InvoicePaymentInline(ReadOnlyInline):
    model = InvoicePayment
    fk_name = "invoice"
    fields = (
        "created_at",
        "kind",
        "method",
        "amount",
        "amount_refunded",
        "reference",
        "destination",
        "payment_id",
        "actor",
    )


class CreditNoteInline(ReadOnlyInline):
    model = CreditNote
    fields = ("number", "subtotal", "tax_total", "total", "reason", "created_at")


class MarkPaidForm(forms.Form):
    method = forms.ChoiceField(choices=[(method, method) for method in OFFLINE_METHODS])
    reference = forms.CharField(max_length=200, required=False, help_text="Receipt, transfer or UPI reference.")


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=500)


@admin.register(Invoice)
class InvoiceAdmin(MakerspaceScopedAdmin):
    list_display = (
        "__str__",
        "makerspace",
        "member",
        "status",
        "total",
        "amount_due_display",
        "issued_at",
        "due_on",
        "document_links",
    )
    list_filter = ("makerspace", "status", "supply", ("due_on", admin.DateFieldListFilter))
    search_fields = ("number", "member__user__username", "member__user__email", "member__billing_name")
    autocomplete_fields = ("member",)
    list_select_related = ("makerspace", "member__user")
    date_hierarchy = "created_at"
    inlines = [InvoiceLineInline, InvoicePaymentInline, CreditNoteInline]
    readonly_fields = [f.name for f in Invoice._meta.fields] + ["document_links"]
    actions = ["issue_invoices", "void_invoices", "mark_paid"]

    def has_add_permission(self, request):
        return False  # drafts are made through the API or the monthly run (the invoice services)

    @admin.display(description="Amount due")
    def amount_due_display(self, obj):
        return obj.amount_due

    @admin.display(description="Document")
    def document_links(self, obj):
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">HTML</a> · <a href="{}">PDF</a>',
            reverse("admin:makerspace_invoice_html", args=[obj.pk]),
            reverse("admin:makerspace_invoice_pdf", args=[obj.pk]),
        )

    def get_urls(self):
        own = [
            path("<int:pk>/html/", self.admin_site.admin_view(self.html_view), name="makerspace_invoice_html"),
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="makerspace_invoice_pdf"),
        ]
        return own + super().get_urls()

    def _visible(self, request, pk: int) -> Invoice:
        invoice = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, invoice):
            raise Http404  # as for an invoice outside the staff member's spaces (never a 500)
        return invoice

    def html_view(self, request, pk: int):
        return HttpResponse(invoice_documents.invoice_html(self._visible(request, pk)))

    def pdf_view(self, request, pk: int):
        invoice = self._visible(request, pk)
        response = HttpResponse(invoice_documents.invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number or f"draft-{invoice.pk}"}.pdf"'
        return response

    @admin.action(description="Issue selected drafts (numbers them)")
    def issue_invoices(self, request, queryset):
        self.run_service(
            request, queryset, lambda i: invoice_services.invoice_issue(invoice=i, actor=request.user), "issued"
        )

    @admin.action(description="Void selected invoices…")
    def void_invoices(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, VoidForm),
            action="void_invoices",
            title="Void invoices",
            service=lambda i, data: invoice_services.invoice_void(invoice=i, actor=request.user, reason=data["reason"]),
            done="voided",
        )

    @admin.action(description="Mark selected invoices paid (offline)…")
    def mark_paid(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, MarkPaidForm),
            action="mark_paid",
            title="Record offline payments",
            service=lambda i, data: payment_services.invoice_mark_paid(
                invoice=i, actor=request.user, method=data["method"], reference=data["reference"]
            ),
            done="marked paid",
        )
