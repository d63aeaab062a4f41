"""Store admin for carts (anonymous and signed in) and their lines."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Sum

from makrx.admin.display import LocalTimeAdminMixin
from store.models import Cart, CartItem


class CartItemInline(admin.TabularInline):
    model = CartItem
    autocomplete_fields = ("product",)
    fields = ("product", "quantity", "updated_at")
    readonly_fields = ("updated_at",)
    extra = 0


@admin.register(Cart)
class CartAdmin(LocalTimeAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user", "anonymous", "currency", "lines", "units", "merged_into", "updated_at")
    list_filter = (
        "currency",
        ("user", admin.EmptyFieldListFilter),
        ("merged_at", admin.EmptyFieldListFilter),
        # Guest carts of the earlier store front (X-Session-ID; only its keyed hash is stored, never shown).
        ("session_key_hash", admin.EmptyFieldListFilter),
    )
    list_select_related = ("user", "merged_into")
    search_fields = ("user__username", "user__email", "token", "items__product__sku")
    autocomplete_fields = ("user",)
    raw_id_fields = ("merged_into",)
    readonly_fields = ("token", "merged_into", "merged_at", "created_at", "updated_at")
    inlines = [CartItemInline]
    date_hierarchy = "updated_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_count=Count("items"), unit_count=Sum("items__quantity"))

    @admin.display(boolean=True, description="anonymous")
    def anonymous(self, cart):
        return cart.user_id is None

    @admin.display(ordering="line_count")
    def lines(self, cart):
        return cart.line_count

    @admin.display(ordering="unit_count")
    def units(self, cart):
        return cart.unit_count or 0
