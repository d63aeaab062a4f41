"""store/0011: the store's earlier payments and webhook deliveries become platform records, then 0012 drops
the store tables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("store", "0010_bom_text_trigram_index"), ("makrx", "0004_payments")]
AFTER = [("store", "0012_retire_store_payments")]


@pytest.fixture(autouse=True)
def _latest_schema_afterwards(transactional_db):
    """Migrate every app forward to its latest migration after the test (even a failed one): the test stops at
    store 0012, and later store migrations' columns must exist again for the tests that share this database."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_store_payments_are_copied_to_the_platform():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Order = old_apps.get_model("store", "Order")
    StorePayment = old_apps.get_model("store", "Payment")
    StoreWebhookEvent = old_apps.get_model("store", "WebhookEvent")
    order = Order.objects.create(number="MX-2026-000042", email="a@example.test", total=Decimal("23.60"))
    paid = StorePayment.objects.create(
        order=order, provider="stripe", provider_ref="pi_old", amount=Decimal("23.60"), currency="INR",
        status="succeeded", succeeded_at=timezone.now(),
    )  # fmt: skip
    StorePayment.objects.create(
        order=order, provider="razorpay", provider_ref="order_old", amount=Decimal("23.60"), status="created"
    )
    StoreWebhookEvent.objects.create(
        provider="stripe", event_id="evt_old", type="payment_intent.succeeded", signature_valid=True,
        result="processed", payment=paid, payload={"id": "evt_old"},
    )  # fmt: skip
    StoreWebhookEvent.objects.create(provider="stripe", result="rejected", body_sha256="0" * 64, body_size=3)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new_apps = executor.loader.project_state(AFTER).apps
    Payment = new_apps.get_model("makrx", "Payment")
    WebhookEvent = new_apps.get_model("makrx", "WebhookEvent")
    rows = {p.provider_ref: p for p in Payment.objects.all()}
    assert set(rows) == {"pi_old", "order_old"}
    assert (rows["pi_old"].purpose, rows["pi_old"].reference, rows["pi_old"].status) == (
        "store.order", "MX-2026-000042", "captured",
    )  # fmt: skip
    assert rows["pi_old"].captured_at is not None and rows["order_old"].status == "pending"
    verified = WebhookEvent.objects.get(event_id="evt_old")
    assert verified.payment_id == rows["pi_old"].pk and verified.payload == {"id": "evt_old"}
    assert WebhookEvent.objects.filter(result="rejected", body_size=3).count() == 1
    assert "store_payment" not in connection.introspection.table_names()
