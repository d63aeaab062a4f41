"""The store cancels a published service order (refund or cancel of its store order): the bridge asks the
makerspace to cancel the job; a job already made refuses (logged, settled, noted on the timeline)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from werkzeug import Response

from bridge.models import DeliveryAttempt, InboundDelivery, OutboxMessage
from bridge.tests import helpers
from makerspace.models import ServiceJob
from makerspace.services.jobs import job_accept, job_complete, job_start
from makerspace.tests.factories import ServiceJobFactory
from store.models import ServiceOrder
from store.services.orders import order_cancel, order_refund

pytestmark = pytest.mark.django_db

SECRET = "cave-webhook-secret-for-tests"
API_KEY = "makrcave-api-key-for-tests"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    helpers.configure(settings, tmp_path)


def _paid_job(client_for, api_client, capture):
    world = helpers.maker_world()
    customer = client_for(username="ravi", email="ravi@example.test")
    created = helpers.order_service(customer, world["material"])
    with capture(execute=True):
        helpers.pay(customer, api_client, created["order"]["number"])
    service_order = ServiceOrder.objects.get(pk=created["id"])
    job = ServiceJob.objects.get(external_order_id=str(service_order.pk))
    return world, service_order, job


def test_a_refund_after_publish_cancels_the_job_in_order(
    client_for, api_client, make_user, django_capture_on_commit_callbacks
):
    world, service_order, job = _paid_job(client_for, api_client, django_capture_on_commit_callbacks)
    staff = make_user(roles=["store_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        order_refund(order=service_order.order, actor=staff, note="customer changed their mind")

    job.refresh_from_db()
    service_order.refresh_from_db()
    assert job.status == "cancelled" and "refunded" in job.status_note
    assert service_order.status == "cancelled"
    # Every message of the order, in the order written: the job, its receipt, the cancel, the job's CANCELLED
    # (which the store records as ignored: the order is already cancelled).
    messages = list(
        OutboxMessage.objects.filter(key=f"so:{service_order.pk}")
        .order_by("id")
        .values_list("kind", "payload__status", "status")
    )
    assert messages == [
        ("job.create", None, "sent"),
        ("job.status", "PUBLISHED", "sent"),
        ("job.cancel", None, "sent"),
        ("job.status", "CANCELLED", "sent"),
    ]
    cancel = OutboxMessage.objects.get(kind="job.cancel")
    assert cancel.response == {"job_id": str(job.pk), "status": "cancelled", "result": "applied"}
    assert cancel.payload["reason"].startswith(f"Store order {service_order.order.number} refunded")
    assert list(service_order.events.values_list("kind", flat=True))[-2:] == ["order_refunded", "job_status_ignored"]
    assert InboundDelivery.objects.get(endpoint="job.cancel").result == "applied"
    assert job.events.filter(to_status="cancelled").count() == 1


def test_cancelling_an_unpublished_order_sends_nothing(
    settings, client_for, api_client, make_user, django_capture_on_commit_callbacks
):
    settings.STORE_SERVICE_ORDER_AUTO_PUBLISH = False
    world = helpers.maker_world()
    customer = client_for()
    created = helpers.order_service(customer, world["material"])
    with django_capture_on_commit_callbacks(execute=True):
        helpers.pay(customer, api_client, created["order"]["number"])
        order_cancel(order=ServiceOrder.objects.get(pk=created["id"]).order, actor=make_user(roles=["store_admin"]))
    assert ServiceOrder.objects.get(pk=created["id"]).status == "cancelled"
    assert not OutboxMessage.objects.exists()


def test_a_completed_job_refuses_and_the_refusal_is_settled_and_noted(
    client_for, api_client, make_user, django_capture_on_commit_callbacks
):
    world, service_order, job = _paid_job(client_for, api_client, django_capture_on_commit_callbacks)
    provider = world["provider"].user
    with django_capture_on_commit_callbacks(execute=True):
        job = job_accept(job=job, actor=provider)
        job = job_start(job=job, actor=provider)
        job = job_complete(job=job, actor=provider)
    service_order.refresh_from_db()
    assert service_order.status == "ready_for_shipping"

    with django_capture_on_commit_callbacks(execute=True):
        order_refund(order=service_order.order, actor=make_user(roles=["store_admin"]))

    job.refresh_from_db()
    assert job.status == "completed"  # made: not cancelled
    cancel = OutboxMessage.objects.get(kind="job.cancel")
    # A 409 is a permanent answer: sent (not dead, not retried), the refusal kept on the message and attempt.
    assert cancel.status == "sent" and cancel.attempts == 1 and cancel.last_status_code == 409
    assert cancel.response["code"] == "invalid_transition" and "409" in cancel.last_error
    attempt = DeliveryAttempt.objects.get(message=cancel)
    assert attempt.result == "sent" and attempt.status_code == 409
    delivery = InboundDelivery.objects.get(endpoint="job.cancel")
    assert delivery.result == "conflict" and delivery.status_code == 409
    service_order.refresh_from_db()
    assert service_order.status == "cancelled"
    refused = service_order.events.get(kind="job_cancel_refused")
    assert refused.data["code"] == "invalid_transition" and refused.note.startswith("The makerspace did not cancel")


def _cancel_body(job, **fields):
    fields.setdefault("external_order_id", job.external_order_id)
    return helpers.fresh(source="store", reason="Refunded", **fields)


def test_a_replayed_cancel_is_applied_once(settings, api_client):
    settings.MAKRCAVE_API_KEY = API_KEY
    job = ServiceJobFactory(source="store", external_order_id="77")
    raw, _ = helpers.signed(_cancel_body(job, event_id="evt-cancel-1"), SECRET)
    path = "/api/v1/bridge/jobs/77/cancel"
    first = api_client.post(path, data=raw, content_type="application/json", HTTP_X_API_KEY=API_KEY)
    again = api_client.post(path, data=raw, content_type="application/json", HTTP_X_API_KEY=API_KEY)
    assert first.status_code == 200 and first.json()["result"] == "applied"
    assert again.status_code == 200 and again.json()["duplicate"] is True
    job.refresh_from_db()
    assert job.status == "cancelled" and job.events.filter(to_status="cancelled").count() == 1
    assert list(InboundDelivery.objects.order_by("id").values_list("result", flat=True)) == ["applied", "duplicate"]
    # Another event for a job already cancelled: 200, nothing more happens.
    raw, _ = helpers.signed(_cancel_body(job, event_id="evt-cancel-2"), SECRET)
    later = api_client.post(path, data=raw, content_type="application/json", HTTP_X_API_KEY=API_KEY)
    assert later.status_code == 200 and later.json()["result"] == "duplicate"
    assert job.events.filter(to_status="cancelled").count() == 1


def test_a_forged_cancel_is_refused_before_any_lookup(settings, api_client):
    settings.CAVE_WEBHOOK_SECRET = SECRET
    job = ServiceJobFactory(source="store", external_order_id="78")
    for order_id in ("78", "999999"):  # a real job and an unknown one: the same 403, never a 404
        raw, signature = helpers.signed(_cancel_body(job, external_order_id=order_id), "not-the-secret")
        response = api_client.post(
            f"/api/v1/bridge/jobs/{order_id}/cancel",
            data=raw,
            content_type="application/json",
            HTTP_X_SIGNATURE=signature,
        )
        assert response.status_code == 403 and response.json()["code"] == "invalid_signature"
    job.refresh_from_db()
    assert job.status == "received"
    assert set(InboundDelivery.objects.values_list("result", "verified")) == {("rejected", False)}


def test_the_body_must_name_the_paths_order(settings, api_client):
    settings.CAVE_WEBHOOK_SECRET = SECRET
    job = ServiceJobFactory(source="store", external_order_id="79")
    raw, signature = helpers.signed(_cancel_body(job), SECRET)
    response = api_client.post(
        "/api/v1/bridge/jobs/80/cancel", data=raw, content_type="application/json", HTTP_X_SIGNATURE=signature
    )
    assert response.status_code == 400 and "external_order_id" in response.json()["errors"]
    job.refresh_from_db()
    assert job.status == "received"


@pytest.mark.parametrize(("status", "expected"), [(200, "sent"), (409, "sent"), (404, "dead"), (503, "failed")])
def test_over_http_the_cancel_goes_to_its_path_signed_and_a_409_is_settled(settings, httpserver, status, expected):
    from bridge.services.outbox import outbox_deliver, outbox_write

    settings.MAKRCAVE_API_URL = httpserver.url_for("").rstrip("/")
    settings.CAVE_WEBHOOK_SECRET = SECRET
    seen = {}

    def handler(request):
        seen["signature"], seen["body"] = request.headers.get("X-Signature"), request.get_data()
        body = {"job_id": "5", "status": "cancelled", "result": "applied"} if status == 200 else {"code": "x"}
        return Response(json.dumps(body), status, content_type="application/json")

    httpserver.expect_request("/api/v1/bridge/jobs/321/cancel", method="POST").respond_with_handler(handler)
    message = outbox_write(
        kind="job.cancel",
        destination="makerspace",
        key="so:321",
        payload={"external_order_id": "321", "source": "store", "reason": "Refunded"},
    )
    outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == expected and message.last_status_code == status
    assert seen["signature"] == "sha256=" + hmac.new(SECRET.encode(), seen["body"], hashlib.sha256).hexdigest()
    assert json.loads(seen["body"])["event_id"] == str(message.message_id)
