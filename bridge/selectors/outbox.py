"""Outbox reads: the admin list and the state counts the gauge and the benchmark use."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from bridge.models import OutboxMessage


def outbox_admin_queryset() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.all().order_by("-id")


def outbox_counts() -> dict[tuple[str, str], int]:
    """{(destination, status): n} in one grouped query."""
    return {
        (row["destination"], row["status"]): row["n"]
        for row in OutboxMessage.objects.values("destination", "status").annotate(n=Count("id")).order_by()
    }
