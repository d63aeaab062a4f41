"""Invoice reads: members see their own invoices, staff those of their makerspaces (platform admins: all)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from makerspace.models import CreditNote, Invoice, InvoiceLine, InvoicePayment
from makerspace.selectors.scope import own_or_space


def invoice_list(*, user) -> QuerySet[Invoice]:
    """Invoices the user may read; drafts are for staff only (a member sees an invoice once it is numbered)."""
    own = Q(member__user=user) & Q(number__isnull=False)  # issued at some point (not a draft, nor a voided draft)
    queryset = own_or_space(Invoice.objects.all(), user, own=own, path="makerspace_id")
    return queryset.select_related("makerspace", "member__user").order_by("-created_at", "-id")


def invoice_detail_queryset(*, user) -> QuerySet[Invoice]:
    """As ``invoice_list``, with lines, payments and credit notes in three more queries."""
    return invoice_list(user=user).prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id")),
        Prefetch("payments", queryset=InvoicePayment.objects.order_by("created_at", "id")),
        Prefetch("credit_notes", queryset=CreditNote.objects.order_by("created_at", "id")),
    )
