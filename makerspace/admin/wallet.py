"""Admin for credit wallets: balance and ledger inline (read-only; money moves through the wallet services)."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import Wallet, WalletEntry
from makrx.admin.readonly import ReadOnlyInline


class WalletEntryInline(ReadOnlyInline):
    model = WalletEntry
    fields = ("created_at", "kind", "amount", "balance_after", "description", "reference", "actor")
    ordering = ("-created_at", "-id")


@admin.register(Wallet)
class WalletAdmin(MakerspaceScopedAdmin):
    list_display = ("member", "makerspace", "balance", "currency", "updated_at")
    list_filter = ("makerspace",)
    search_fields = ("member__user__username", "member__user__email")
    list_select_related = ("makerspace", "member__user")
    readonly_fields = ("member", "makerspace", "balance", "currency", "created_at", "updated_at")
    inlines = [WalletEntryInline]

    def has_add_permission(self, request):
        return False
