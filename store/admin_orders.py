"""Store admin for carts, orders, payments and webhook deliveries; order status changes only through services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Sum

from makrx.admin.readonly import ReadOnlyInline
from makrx.errors import DomainError
from store.models import Cart, CartItem, Order, OrderEvent, OrderLine, Payment, WebhookEvent
from store.services import orders as order_services


class CartItemInline(admin.TabularInline):
    model = CartItem
    autocomplete_fields = ("product",)
    fields = ("product", "quantity", "updated_at")
    readonly_fields = ("updated_at",)
    extra = 0


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "anonymous", "currency", "lines", "units", "merged_into", "updated_at")
    list_filter = ("currency", ("user", admin.EmptyFieldListFilter), ("merged_at", admin.EmptyFieldListFilter))
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


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("sku", "name", "unit_price", "quantity", "line_total", "product")


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "note")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("provider", "provider_ref", "amount", "currency", "status", "succeeded_at")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "email", "user", "status", "total", "currency", "created_at", "paid_at", "expires_at")
    list_filter = ("status", "currency", "created_at", "paid_at")
    list_select_related = ("user",)
    search_fields = ("number", "email", "user__username", "user__email", "lines__sku")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    readonly_fields = (
        "number", "user", "status", "currency", "subtotal", "tax_rate", "tax", "total", "cart", "idempotency_key",
        "expires_at", "paid_at", "fulfilled_at", "cancelled_at", "refunded_at", "created_at", "updated_at",
    )  # fmt: skip
    fields = readonly_fields[:3] + ("email", "shipping_address", "billing_address", "notes") + readonly_fields[3:]
    inlines = [OrderLineInline, PaymentInline, OrderEventInline]
    actions = ["cancel", "fulfil", "refund"]

    def has_add_permission(self, request):
        return False  # orders come from checkout

    def has_delete_permission(self, request, obj=None):
        return False  # history and stock movements point at them; cancel or refund instead

    def _apply(self, request, queryset, service, verb: str, **kwargs):
        done = 0
        for order in queryset:
            try:
                service(order=order, actor=request.user, **kwargs)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{order.number}: {exc.detail}", level=messages.WARNING)
        if done:
            self.message_user(request, f"{done} orders {verb}.")

    @admin.action(description="Cancel selected orders (stock returned)")
    def cancel(self, request, queryset):
        self._apply(request, queryset, order_services.order_cancel, "cancelled", reason="admin")

    @admin.action(description="Mark selected paid orders fulfilled (shipped)")
    def fulfil(self, request, queryset):
        self._apply(request, queryset, order_services.order_fulfil, "fulfilled", note="admin")

    @admin.action(description="Record refund of selected orders (unshipped stock returned)")
    def refund(self, request, queryset):
        self._apply(request, queryset, order_services.order_refund, "refunded", note="admin")


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("provider_ref", "provider", "order", "amount", "currency", "status", "succeeded_at", "created_at")
    list_filter = ("provider", "status", "currency")
    list_select_related = ("order",)
    search_fields = ("provider_ref", "order__number", "order__email")
    autocomplete_fields = ("order",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Payment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """Every delivery, verified or not, read-only."""

    list_display = ("created_at", "provider", "event_id", "type", "signature_valid", "result", "payment", "error")
    list_filter = ("result", "provider", "signature_valid", "type")
    list_select_related = ("payment",)
    search_fields = ("event_id", "type", "request_id", "payment__provider_ref", "payment__order__number")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in WebhookEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
