"""Copy the store's payments and webhook deliveries into the platform's records (makrx.Payment, purpose
``store.order``, reference = the order number; makrx.WebhookEvent), before the store's tables are retired."""

from django.db import migrations

STATUSES = {
    "created": "pending",
    "pending": "pending",
    "succeeded": "captured",
    "failed": "failed",
    "cancelled": "failed",
    "refunded": "refunded",
}


def forwards(apps, schema_editor):
    StorePayment = apps.get_model("store", "Payment")
    StoreWebhookEvent = apps.get_model("store", "WebhookEvent")
    Payment = apps.get_model("makrx", "Payment")
    WebhookEvent = apps.get_model("makrx", "WebhookEvent")
    new_ids = {}
    for old in StorePayment.objects.select_related("order").order_by("id").iterator():
        status = STATUSES.get(old.status, "pending")
        new = Payment.objects.create(
            purpose="store.order",
            reference=old.order.number,
            amount=old.amount,
            currency=old.currency,
            provider=old.provider,
            provider_ref=old.provider_ref,
            status=status,
            amount_refunded=old.amount if status == "refunded" else 0,
            customer_email=old.order.email or "",
            captured_at=old.succeeded_at,
            raw=old.raw,
            created_at=old.created_at,
        )
        new_ids[old.pk] = new.pk
    fields = (
        "provider", "event_id", "type", "payload", "body_sha256", "body_size", "signature_present", "client_ip",
        "signature_valid", "result", "processed_at", "error", "request_id", "created_at",
    )  # fmt: skip
    for old in StoreWebhookEvent.objects.order_by("id").iterator():
        WebhookEvent.objects.create(
            **{name: getattr(old, name) for name in fields}, payment_id=new_ids.get(old.payment_id)
        )


def backwards(apps, schema_editor):
    """The platform rows stay (they are the record); going back leaves the store tables as they were."""


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0010_bom_text_trigram_index"),
        ("makrx", "0004_payments"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
