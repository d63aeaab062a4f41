"""Shared pieces of the bridge tests: a makerspace that takes store jobs, a store that can quote for it, the
customer's way from upload to a paid order (signed Stripe webhook), and signed bridge deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from unittest import mock

import stripe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from makerspace.models import Member
from makerspace.tests.factories import InventoryItemFactory, MemberFactory, ServiceProviderFactory, job_space
from store.models import Order
from store.tests.factories import MaterialFactory, ServiceCapabilityFactory

FIXTURES = Path(__file__).parent / "fixtures"
STRIPE_SECRET = "whsec_bridge_test"
ADDRESS = {
    "name": "A Buyer",
    "line1": "1 Road",
    "city": "Pune",
    "state": "MH",
    "postal_code": "411001",
    "country": "IN",
    "phone": "+919999999999",
}


def configure(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RATELIMIT_ENABLE = False
    settings.STRIPE_API_KEY = "sk_test_dummy"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_SECRET
    settings.MAKRCAVE_API_URL = ""
    settings.STORE_API_URL = ""
    settings.MAKRCAVE_API_KEY = ""
    settings.CAVE_WEBHOOK_SECRET = ""
    settings.SERVICE_JWT = ""


def maker_world() -> dict:
    """A makerspace taking store FDM jobs (printer, PLA in stock, a verified provider, a staff member) and the
    store's matching PLA material and printing capability."""
    space = job_space(name="Central", address="Pune 411001")
    provider = ServiceProviderFactory(makerspaces=[space])
    staff = MemberFactory(makerspace=space, role=Member.Role.STAFF).user
    pla_item = InventoryItemFactory(makerspace=space, sku="PLA", name="PLA filament", unit="g", stock=5000)
    pla = MaterialFactory()
    printer = ServiceCapabilityFactory(makerspace_ref=space.pk, makerspace_name=space.name, bed_x_mm=350, bed_y_mm=350)
    printer.materials.set([pla])
    return {"space": space, "provider": provider, "staff": staff, "pla_item": pla_item, "material": pla}


def stripe_signature(body: bytes) -> str:
    timestamp = int(time.time())
    signature = hmac.new(STRIPE_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def stripe_succeeded(order: Order, *, event_id: str = "evt_bridge_1") -> bytes:
    amount = int(order.total * 100)
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": f"pi_{order.number}",
                    "object": "payment_intent",
                    "amount": amount,
                    "amount_received": amount,
                    "currency": order.currency.lower(),
                    "metadata": {"order_number": order.number},
                }
            },
        }
    ).encode()


def order_service(client, material) -> dict:
    """Upload, quote and order a print through the API as ``client``; returns the service order's JSON."""
    stl = (FIXTURES / "plate_holes_binary_watertight.stl").read_bytes()
    upload = client.post("/api/v1/store/uploads/", {"file": SimpleUploadedFile("plate.stl", stl)}, format="multipart")
    assert upload.status_code == 201, upload.json()
    quote = client.post(
        "/api/v1/store/quotes/",
        {"upload": upload.json()["id"], "process": "print_3d", "material": material.pk, "quantity": 2},
        format="json",
    )
    assert quote.status_code == 201 and quote.json()["machine_fits"], quote.json()
    created = client.post(
        "/api/v1/store/service-orders/",
        {"quote": quote.json()["id"], "delivery": "ship", "shipping_address": ADDRESS},
        format="json",
    )
    assert created.status_code == 201, created.json()
    return created.json()


def pay(client, api_client, number: str) -> dict:
    """Start the Stripe payment (the provider mocked at its SDK) and deliver its signed success webhook."""
    order = Order.objects.get(number=number)
    intent = stripe.PaymentIntent.construct_from(
        {
            "id": f"pi_{number}",
            "object": "payment_intent",
            "client_secret": "secret",
            "status": "requires_payment_method",
            "amount": int(order.total * 100),
        },
        "sk_test_dummy",
    )
    with mock.patch("stripe.PaymentIntent.create", return_value=intent):
        assert client.post(f"/api/v1/store/orders/{number}/payment/").status_code == 201
    body = stripe_succeeded(order)
    response = api_client.post(
        "/api/v1/store/payments/webhook",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(body),
    )
    assert response.status_code == 200, response.content
    return response.json()


def signed(body: dict, secret: str) -> tuple[bytes, str]:
    raw = json.dumps(body).encode()
    return raw, "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def fresh(**fields) -> dict:
    """A status body with a new event id and sent_at = now."""
    return {
        "event_id": fields.pop("event_id", f"evt-{time.monotonic_ns()}"),
        "sent_at": timezone.now().isoformat(),
        **fields,
    }
