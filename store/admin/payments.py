"""Store admin for order money: the order page's "Mark paid offline…" and "Refund…" actions, each asking for
its input on an intermediate page and running the same service as the API. The payment records themselves
are the platform's (admin: Platform › Payments, Refunds, Webhook events)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from makrx.payments.models import OFFLINE_METHODS, Provider
from store.services import payments as payment_services


class MarkPaidForm(forms.Form):
    method = forms.ChoiceField(choices=[(m, Provider(m).label) for m in OFFLINE_METHODS])
    reference = forms.CharField(
        max_length=200, required=False, help_text="Receipt, transfer or UPI reference (required but for cash)."
    )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0.01, required=False, help_text="Empty: everything still paid."
    )
    reason = forms.CharField(max_length=500)


class OrderPaymentActionsMixin:
    """Mixed into ``OrderAdmin``: offline payments and refunds through ``store.services.payments``."""

    @admin.action(description="Mark selected orders paid offline…")
    def mark_paid_offline(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, MarkPaidForm),
            action="mark_paid_offline",
            title="Mark orders paid offline",
            service=lambda order, data: payment_services.order_mark_paid_offline(
                order=order, method=data["method"], reference=data["reference"], actor=request.user
            ),
            done="orders marked paid",
        )

    @admin.action(description="Refund selected orders…")
    def refund_money(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, RefundForm),
            action="refund_money",
            title="Refund orders",
            service=lambda order, data: payment_services.order_refund_money(
                order=order, amount=data["amount"], reason=data["reason"], actor=request.user
            ),
            done="orders refunded",
        )

    @admin.display(description="Payments")
    def payment_records(self, obj) -> str:
        rows = payment_services.order_payments_list(order=obj) if obj and obj.pk else []
        if not rows:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="/admin/makrx/payment/{}/change/">{} {} {}</a>: {} (refunded {})</li>',
                ((p.pk, p.provider, p.amount, p.currency, p.get_status_display(), p.amount_refunded) for p in rows),
            ),
        )
