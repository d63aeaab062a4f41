"""Transactions ledger reads: a member's own records, staff their makerspaces' (platform admins: all)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from makerspace.models import BillableRecord, InvoiceLine
from makerspace.selectors.scope import own_or_space


def billable_record_list(*, user) -> QuerySet[BillableRecord]:
    """Records with ``billed`` (on an invoice line) and ``invoice_id`` annotated, newest first."""
    lines = InvoiceLine.objects.filter(record_id=OuterRef("pk"))
    queryset = own_or_space(BillableRecord.objects.all(), user, own=Q(member__user=user), path="makerspace_id")
    return (
        queryset.select_related("member__user")
        .annotate(billed=Exists(lines), invoice_id=Subquery(lines.values("invoice_id")[:1]))
        .order_by("-occurred_at", "-id")
    )
