"""Service orders: the anonymous flow end to end through the API (upload, quote, order, pay by signed webhook,
publish), the order mirror, refusals, visibility and the list's query count."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from makrx.tests import payment_providers as providers
from store.models import Order, ServiceOrder
from store.services import SYSTEM
from store.services.orders import order_cancel, order_mark_paid
from store.tests.factories import (
    MaterialFactory,
    QuoteFactory,
    ServiceCapabilityFactory,
    ServiceOrderFactory,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "whsec_test_secret"
ADDRESS = {
    "name": "A Buyer",
    "line1": "1 Road",
    "city": "Pune",
    "state": "MH",
    "postal_code": "411001",
    "country": "IN",
    "phone": "+919999999999",
}


@pytest.fixture(autouse=True)
def service_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RATELIMIT_ENABLE = False
    settings.STRIPE_API_KEY = "sk_test_dummy"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.DEFAULT_TAX_RATE = Decimal("18")
    # Publishing by hand is what these tests check; paying publishes at once by default (bridge tests).
    settings.STORE_SERVICE_ORDER_AUTO_PUBLISH = False


def _sign(body: bytes) -> str:
    timestamp = int(time.time())
    signature = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def _succeeded(order: Order, amount_minor: int) -> bytes:
    return json.dumps(
        {
            "id": "evt_service_1",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": "pi_service",
                    "object": "payment_intent",
                    "amount": amount_minor,
                    "amount_received": amount_minor,
                    "currency": order.currency.lower(),
                    "metadata": {"order_number": order.number},
                }
            },
        }
    ).encode()


def test_anonymous_upload_quote_order_pay_and_publish_through_the_api(api_client):
    pla = MaterialFactory()
    printer = ServiceCapabilityFactory(makerspace_ref=7, makerspace_name="Space Seven")
    printer.materials.set([pla])

    # Upload: the cart token comes back and ties every later call to this guest.
    stl = FIXTURES / "stl" / "teapot_binary_open_zero_normals.stl"
    upload = api_client.post(
        "/api/v1/store/uploads/", {"file": SimpleUploadedFile("teapot.stl", stl.read_bytes())}, format="multipart"
    )
    assert upload.status_code == 201, upload.json()
    token = upload["X-Cart-Token"]
    guest = {"HTTP_X_CART_TOKEN": token}

    quote = api_client.post(
        "/api/v1/store/quotes/",
        {"upload": upload.json()["id"], "process": "print_3d", "material": pla.pk, "quantity": 3},
        format="json",
        HTTP_IDEMPOTENCY_KEY="quote-1",
        **guest,
    )
    assert quote.status_code == 201, quote.json()
    assert quote.json()["machine_fits"] is True

    created = api_client.post(
        "/api/v1/store/service-orders/",
        {"quote": quote.json()["id"], "delivery": "ship", "shipping_address": ADDRESS, "email": "guest@example.test"},
        format="json",
        **guest,
    )
    assert created.status_code == 201, created.json()
    service_order = created.json()
    assert service_order["status"] == "payment_pending"
    assert service_order["order"]["status"] == "pending_payment"
    assert service_order["order"]["total"] == quote.json()["total"]
    number = service_order["order"]["number"]
    # Another guest (or nobody) does not see it.
    assert api_client.get(f"/api/v1/store/service-orders/{service_order['id']}/").status_code == 404

    order = Order.objects.get(number=number)
    amount_minor = int(order.total * 100)
    with responses.RequestsMock() as rsps:
        providers.stripe_intent(rsps, intent_id="pi_service", amount=amount_minor)
        payment = api_client.post(f"/api/v1/store/orders/{number}/payment/", **guest)
    assert payment.status_code == 201, payment.json()

    body = _succeeded(order, amount_minor)
    delivered = api_client.post(
        "/api/v1/store/payments/webhook", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=_sign(body)
    )
    assert delivered.json()["result"] == "processed"

    detail = api_client.get(f"/api/v1/store/service-orders/{service_order['id']}/", **guest).json()
    assert detail["status"] == "paid" and detail["paid_at"] is not None
    assert [event["kind"] for event in detail["events"]] == ["created", "order_paid"]

    published = api_client.post(f"/api/v1/store/service-orders/{service_order['id']}/publish/", **guest)
    assert published.status_code == 200, published.json()
    message = published.json()["outbound_message"]
    assert published.json()["status"] == "dispatched"
    assert message["external_order_id"] == str(service_order["id"]) and message["source"] == "store"
    assert message["requirements"]["material"] == "pla"
    assert message["requirements"]["capabilities"] == ["print_3d"]
    assert message["requirements"]["est_weight_g"] > 0 and message["requirements"]["est_time_min"] >= 1
    assert message["delivery"] == {"method": "ship", "address": ADDRESS}
    assert message["file_url"].endswith(".stl") and "teapot" not in message["file_url"]
    assert set(message) == {
        "external_order_id",
        "source",
        "title",
        "description",
        "file_url",
        "requirements",
        "delivery",
        "priority",
    }
    again = api_client.post(f"/api/v1/store/service-orders/{service_order['id']}/publish-to-cave/", **guest)
    assert again.status_code == 404  # the alias has no trailing slash
    again = api_client.post(f"/api/complete_flows/service-orders/{service_order['id']}/publish-to-cave", **guest)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_publish_needs_a_paid_order_and_is_post_only(client_for):
    service_order = ServiceOrderFactory()
    owner = client_for(service_order.user)
    url = f"/api/v1/store/service-orders/{service_order.pk}/publish/"

    assert owner.get(url).status_code == 405
    response = owner.post(url)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert client_for().post(url).status_code == 404  # not theirs: not visible

    order_mark_paid(order=service_order.order, actor=SYSTEM)
    service_order.refresh_from_db()
    assert service_order.status == "paid"
    assert client_for(roles=["store_admin"]).post(url).status_code == 200


def test_pickup_needs_a_pickup_makerspace_and_a_quote_is_ordered_once(client_for):
    client = client_for()
    quote = QuoteFactory(upload__user=client.user)
    ServiceCapabilityFactory(makerspace_ref=3, pickup=True)
    url = "/api/v1/store/service-orders/"

    missing = client.post(url, {"quote": quote.pk, "delivery": "pickup"}, format="json")
    assert missing.status_code == 400 and "pickup_makerspace" in missing.json()["errors"]
    wrong = client.post(url, {"quote": quote.pk, "delivery": "pickup", "pickup_makerspace": 99}, format="json")
    assert wrong.status_code == 400 and "pickup_makerspace" in wrong.json()["errors"]
    ok = client.post(url, {"quote": quote.pk, "delivery": "pickup", "pickup_makerspace": 3}, format="json")
    assert ok.status_code == 201, ok.json()
    twice = client.post(url, {"quote": quote.pk, "delivery": "pickup", "pickup_makerspace": 3}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "quote_already_ordered"
    alias = client.post(
        "/api/complete_flows/service-orders/from-quote",
        {"quote": quote.pk, "delivery": "pickup", "pickup_makerspace": 3},
        format="json",
    )
    assert alias.status_code == 409
    assert ServiceOrder.objects.count() == 1 and Order.objects.count() == 1


def test_expired_unfitting_and_foreign_quotes_are_refused(client_for):
    client = client_for()
    url = "/api/v1/store/service-orders/"
    body = {"delivery": "ship", "shipping_address": ADDRESS}
    expired = QuoteFactory(upload__user=client.user, valid_until=timezone.now() - timedelta(minutes=1))
    unfit = QuoteFactory(upload__user=client.user, machine_fits=False, machine_fits_reason="too big")
    foreign = QuoteFactory()

    assert client.post(url, {**body, "quote": expired.pk}, format="json").json()["code"] == "quote_expired"
    assert client.post(url, {**body, "quote": unfit.pk}, format="json").json()["code"] == "no_machine_fits"
    assert client.post(url, {**body, "quote": foreign.pk}, format="json").status_code == 400
    assert client.post(url, {"quote": expired.pk, "delivery": "ship"}, format="json").status_code == 400
    assert Order.objects.count() == 0


def test_cancelling_the_unpaid_order_cancels_the_service_order(client_for):
    service_order = ServiceOrderFactory()
    order_cancel(order=service_order.order, actor=service_order.user)
    service_order.refresh_from_db()
    assert service_order.status == "cancelled"
    assert list(service_order.events.values_list("kind", flat=True)) == ["order_cancelled"]


def test_customers_list_their_own_and_store_staff_all(client_for, django_assert_num_queries):
    mine = ServiceOrderFactory()
    ServiceOrderFactory()
    owner = client_for(mine.user)
    staff = client_for(roles=["store_admin"])

    rows = owner.get("/api/v1/store/service-orders/").json()
    assert [row["id"] for row in rows["results"]] == [mine.pk]
    assert staff.get("/api/v1/store/service-orders/").json()["count"] == 2
    assert client_for().get(f"/api/v1/store/service-orders/{mine.pk}/").status_code == 404
    assert staff.get(f"/api/v1/store/service-orders/{mine.pk}/").status_code == 200


def test_the_list_costs_the_same_queries_for_1_and_100_rows(client_for, django_assert_num_queries):
    staff = client_for(roles=["store_admin"])
    for _ in range(3):
        ServiceOrderFactory()
    staff.get("/api/v1/store/service-orders/", {"page_size": 1})  # warm the session/auth caches
    with django_assert_num_queries(2) as small:
        staff.get("/api/v1/store/service-orders/", {"page_size": 1})
    with django_assert_num_queries(len(small.captured_queries)):
        staff.get("/api/v1/store/service-orders/", {"page_size": 100})


def test_a_retried_order_with_the_same_idempotency_key_returns_the_first(client_for):
    client = client_for()
    quote = QuoteFactory(upload__user=client.user)
    body = {"quote": quote.pk, "delivery": "ship", "shipping_address": ADDRESS}

    first = client.post("/api/v1/store/service-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="so-1")
    again = client.post("/api/v1/store/service-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="so-1")

    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert ServiceOrder.objects.count() == 1 and Order.objects.count() == 1
