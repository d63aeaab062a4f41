"""The outbox over HTTP (pytest_httpserver as the other side) and in process: headers and signature, retries with
backoff, dead letters and re-queue, the other side down, per-job order, a worker killed mid-delivery, the gauge."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.sites import site
from django.utils import timezone
from werkzeug import Response

from bridge.models import DeliveryAttempt, InboundDelivery, OutboxMessage
from bridge.services import outbox
from bridge.services.inbox import inbound_apply_pending
from bridge.services.outbox import backoff_seconds, outbox_deliver, outbox_sweep, outbox_write
from bridge.tests import helpers
from makrx import metrics
from makrx.tests.netutils import free_port
from store.models import ServiceOrder
from store.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db

SECRET = "hmac-secret"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    helpers.configure(settings, tmp_path)
    settings.CAVE_WEBHOOK_SECRET = SECRET
    settings.MAKRCAVE_API_KEY = "key-1"
    settings.SERVICE_JWT = "jwt-1"
    settings.BRIDGE_MAX_ATTEMPTS = 4


def status_message(service_order_id=5, status="ACCEPTED", job_id="77") -> OutboxMessage:
    payload = {"service_order_id": service_order_id, "status": status, "milestone": {"at": None, "note": ""}}
    return outbox_write(
        kind="job.status", destination="store", key=f"so:{service_order_id}", payload={**payload, "job_id": job_id}
    )


def later(seconds=3600):
    return timezone.now() + timedelta(seconds=seconds)


def test_http_delivery_carries_the_credentials_the_signature_and_the_ids(settings, httpserver):
    settings.STORE_API_URL = httpserver.url_for("").rstrip("/")
    seen = {}

    def handler(request):
        seen["headers"], seen["body"] = dict(request.headers), request.get_data()
        return Response(json.dumps({"received": True, "result": "applied"}), 200, content_type="application/json")

    httpserver.expect_oneshot_request("/api/bridge/jobs/77/status", method="POST").respond_with_handler(handler)
    message = status_message()
    assert outbox_deliver(message_id=message.pk) == "sent"

    headers, body = seen["headers"], seen["body"]
    assert headers["Authorization"] == "Bearer jwt-1" and headers["X-Api-Key"] == "key-1"
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Signature"] == expected
    assert headers["Idempotency-Key"] == str(message.message_id) and headers["X-Request-Id"]
    sent = json.loads(body)
    assert sent["event_id"] == str(message.message_id) and sent["service_order_id"] == 5
    assert sent["status"] == "ACCEPTED" and sent["milestone"] == {"at": None, "note": ""} and sent["sent_at"]
    message.refresh_from_db()
    assert message.status == "sent" and message.response == {"received": True, "result": "applied"}
    assert list(message.delivery_attempts.values_list("result", "status_code", "transport")) == [("sent", 200, "http")]
    assert outbox_deliver(message_id=message.pk) == "skipped"  # sent: a second task does nothing


def test_500_then_200_is_retried_with_backoff(settings, httpserver):
    settings.STORE_API_URL = httpserver.url_for("").rstrip("/")
    httpserver.expect_ordered_request("/api/bridge/jobs/77/status").respond_with_data("boom", status=500)
    httpserver.expect_ordered_request("/api/bridge/jobs/77/status").respond_with_json({"received": True})
    message = status_message()
    before = timezone.now()
    assert outbox_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 1 and "500" in message.last_error
    wait = (message.next_attempt_at - before).total_seconds()
    assert settings.BRIDGE_BACKOFF_BASE_SECONDS / 2 <= wait <= settings.BRIDGE_BACKOFF_BASE_SECONDS + 1
    assert outbox_sweep() == {}  # not due yet
    assert outbox_sweep(now=later()) == {"sent": 1}
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2
    assert list(message.delivery_attempts.order_by("number").values_list("result", "status_code")) == [
        ("retry", 500),
        ("sent", 200),
    ]


@pytest.mark.parametrize(("status", "result"), [(400, "dead"), (404, "dead"), (408, "retry"), (429, "retry")])
def test_4xx_is_dead_except_408_and_429(settings, httpserver, status, result):
    settings.STORE_API_URL = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/api/bridge/jobs/77/status").respond_with_json({"code": "x"}, status=status)
    message = status_message()
    assert outbox_deliver(message_id=message.pk) == result


def test_the_last_attempt_makes_it_dead_and_staff_requeue_it(settings, httpserver, admin_client):
    settings.STORE_API_URL = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/api/bridge/jobs/77/status").respond_with_data("down", status=503)
    message = status_message()
    outbox_deliver(message_id=message.pk)
    for _ in range(settings.BRIDGE_MAX_ATTEMPTS - 1):
        outbox_sweep(now=later())
    message.refresh_from_db()
    assert message.status == "dead" and message.attempts == settings.BRIDGE_MAX_ATTEMPTS
    assert outbox_sweep(now=later()) == {}  # dead stays dead

    httpserver.clear()
    httpserver.expect_request("/api/bridge/jobs/77/status").respond_with_json({"received": True})
    response = admin_client.post(
        "/admin/bridge/outboxmessage/", {"action": "requeue", "_selected_action": [message.pk]}, follow=True
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == "pending" and message.attempts == 0
    assert outbox_deliver(message_id=message.pk) == "sent"
    assert message.delivery_attempts.count() == settings.BRIDGE_MAX_ATTEMPTS + 1


def test_only_platform_admins_requeue(settings):
    from django.contrib.auth import get_user_model

    from makrx.errors import PermissionDenied

    settings.STORE_API_URL = "http://127.0.0.1:9"
    message = status_message()
    OutboxMessage.objects.filter(pk=message.pk).update(status="dead")
    space_admin = get_user_model().objects.create_user(
        username="space-admin", is_staff=True, roles=["makerspace_admin"]
    )
    with pytest.raises(PermissionDenied):
        outbox.outbox_requeue(actor=space_admin, message=message)
    platform_admin = get_user_model().objects.create_user(username="platform-admin", is_staff=True, roles=["admin"])
    assert outbox.outbox_requeue(actor=platform_admin, message=message).status == "pending"


def test_the_other_side_down_keeps_messages_then_delivers_them_in_order(settings, httpserver):
    down = f"http://127.0.0.1:{free_port()}"
    settings.STORE_API_URL = down
    messages = [status_message(status=s) for s in ("PUBLISHED", "ACCEPTED", "PRINTING")]
    other_job = status_message(service_order_id=6, status="PUBLISHED", job_id="78")
    assert outbox_deliver(message_id=messages[0].pk) == "retry"
    # Later messages of the same job wait behind the undelivered first one; another job is not held up by it.
    assert outbox_deliver(message_id=messages[1].pk) == "skipped"
    assert outbox_deliver(message_id=other_job.pk) == "retry"
    for _ in range(2):
        outbox_sweep(now=later())
    assert OutboxMessage.objects.filter(status="sent").count() == 0
    assert OutboxMessage.objects.get(pk=messages[1].pk).attempts == 0

    settings.STORE_API_URL = httpserver.url_for("").rstrip("/")
    received = []

    def handler(request):
        received.append((request.path, json.loads(request.get_data())["status"]))
        return Response('{"received": true}', 200, content_type="application/json")

    httpserver.expect_request("/api/bridge/jobs/77/status").respond_with_handler(handler)
    httpserver.expect_request("/api/bridge/jobs/78/status").respond_with_handler(handler)
    # One sweep sends the head of each job; each delivery queues the next of its job (run here by hand).
    for _ in range(3):
        outbox_sweep(now=later(7200))
    assert [status for path, status in received if path.endswith("/77/status")] == ["PUBLISHED", "ACCEPTED", "PRINTING"]
    assert OutboxMessage.objects.filter(status="sent").count() == 4


def test_a_worker_killed_after_sending_is_redelivered_and_applied_once(django_capture_on_commit_callbacks):
    """In process (the real receiver): the first delivery is applied, then the worker dies before marking it
    sent. The claim expires, the sweep sends it again, the receiver answers duplicate: stored once, applied once
    (by the inbox apply, run here by hand)."""
    service_order = ServiceOrderFactory(status=ServiceOrder.Status.DISPATCHED)
    message = status_message(service_order_id=service_order.pk, status="ACCEPTED")
    real_record = outbox._record
    with mock.patch.object(outbox, "_record", side_effect=SystemExit("worker killed")):
        with pytest.raises(SystemExit):
            outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == "pending" and message.locked_until is not None and message.attempts == 1
    assert outbox_sweep() == {}  # still in flight: nobody takes it
    with mock.patch.object(outbox, "_record", wraps=real_record):
        assert outbox_sweep(now=message.locked_until + timedelta(seconds=1)) == {"sent": 1}
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2 and message.response["result"] == "duplicate"
    assert inbound_apply_pending() == 1 and inbound_apply_pending() == 0
    service_order.refresh_from_db()
    assert service_order.status == "assigned_to_provider"
    assert service_order.events.filter(kind="job_status").count() == 1
    assert list(InboundDelivery.objects.order_by("id").values_list("result", flat=True)) == ["queued", "duplicate"]


def test_a_job_create_answer_links_the_job_to_the_service_order(settings, httpserver):
    settings.MAKRCAVE_API_URL = httpserver.url_for("").rstrip("/")
    service_order = ServiceOrderFactory(status=ServiceOrder.Status.DISPATCHED)
    httpserver.expect_request("/api/v1/bridge/jobs", method="POST").respond_with_json(
        {"job_id": "J-9", "routing": "published", "accept_url": "http://cave/api/v1/makerspace/jobs/9/accept/"}
    )
    message = outbox_write(
        kind="job.create",
        destination="makerspace",
        key=f"so:{service_order.pk}",
        payload={"external_order_id": str(service_order.pk), "source": "store", "title": "x"},
    )
    assert outbox_deliver(message_id=message.pk) == "sent"
    service_order.refresh_from_db()
    assert service_order.job_ref == "J-9"


def test_backoff_grows_with_jitter_up_to_the_cap(settings):
    settings.BRIDGE_BACKOFF_BASE_SECONDS = 5
    settings.BRIDGE_BACKOFF_CAP_SECONDS = 900
    for attempts, ceiling in ((1, 5), (2, 10), (3, 20), (8, 640), (9, 900), (30, 900)):
        values = {backoff_seconds(attempts) for _ in range(20)}
        assert all(ceiling / 2 <= value <= ceiling for value in values)
        assert len(values) > 1  # jittered


def test_the_gauge_counts_messages_by_destination_and_state(settings):
    settings.STORE_API_URL = f"http://127.0.0.1:{free_port()}"
    status_message()
    failed = status_message(service_order_id=9)
    outbox_deliver(message_id=failed.pk)
    outbox.outbox_gauge_collect()
    assert metrics.BRIDGE_MESSAGES.labels("store", "pending")._value.get() == 1
    assert metrics.BRIDGE_MESSAGES.labels("store", "failed")._value.get() == 1
    assert metrics.BRIDGE_MESSAGES.labels("makerspace", "sent")._value.get() == 0


def test_the_admin_lists_messages_attempts_and_deliveries(admin_client, settings):
    settings.STORE_API_URL = f"http://127.0.0.1:{free_port()}"
    message = status_message()
    outbox_deliver(message_id=message.pk)
    for url in (
        "/admin/bridge/outboxmessage/?status__exact=failed",
        f"/admin/bridge/outboxmessage/{message.pk}/change/",
        "/admin/bridge/deliveryattempt/?result__exact=retry",
        "/admin/bridge/inbounddelivery/?result__exact=rejected&verified__exact=0",
        "/admin/bridge/receivedevent/",
    ):
        assert admin_client.get(url).status_code == 200, url
    assert DeliveryAttempt.objects.count() == 1
    assert all(model in site._registry for model in (OutboxMessage, DeliveryAttempt, InboundDelivery))


def test_a_sweep_out_of_time_gives_its_claims_back(settings, httpserver):
    settings.STORE_API_URL = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/api/bridge/jobs/77/status").respond_with_json({"received": True})
    messages = [status_message(service_order_id=index) for index in range(1, 4)]
    assert outbox_sweep(budget_seconds=0) == {}
    assert list(OutboxMessage.objects.values_list("status", "attempts", "locked_until")) == [("pending", 0, None)] * 3
    assert outbox_sweep() == {"sent": 3}
    assert {m.status for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])} == {"sent"}
