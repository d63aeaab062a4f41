"""Wallet reads: a member's wallet and its ledger (the member, or staff of the makerspace)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import WalletEntry
from makerspace.selectors.scope import own_or_space


def wallet_entry_list(*, user) -> QuerySet[WalletEntry]:
    """Ledger rows of the user's own wallets plus those of the makerspaces they staff, newest first."""
    queryset = own_or_space(
        WalletEntry.objects.all(), user, own=Q(wallet__member__user=user), path="wallet__makerspace_id"
    )
    return queryset.select_related("wallet").order_by("-created_at", "-id")
