"""Real races on PostgreSQL: two sweeps at once deliver every message exactly once (``skip_locked``), and the same
inbound event delivered concurrently is applied once."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.test import Client
from werkzeug import Response

from bridge.models import InboundDelivery, OutboxMessage
from bridge.services.outbox import outbox_sweep, outbox_write
from bridge.tests import helpers
from makrx.tests.races import run_concurrently
from store.models import ServiceOrder
from store.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    helpers.configure(settings, tmp_path)
    settings.CAVE_WEBHOOK_SECRET = "race-secret"


def test_two_concurrent_sweeps_deliver_each_message_once(settings, httpserver):
    settings.STORE_API_URL = httpserver.url_for("").rstrip("/")
    settings.BRIDGE_SWEEP_BATCH = 25
    received = Counter()

    def handler(request):
        received[json.loads(request.get_data())["event_id"]] += 1
        return Response('{"received": true}', 200, content_type="application/json")

    httpserver.expect_request("/api/bridge/jobs/1/status").respond_with_handler(handler)
    # Written outside a transaction's on_commit delivery: each row's own commit would queue it, so write them with
    # the queue switched off and leave the work to the sweeps.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("bridge.services.outbox._queue", lambda *args, **kwargs: None)
        for index in range(40):
            outbox_write(
                kind="job.status",
                destination="store",
                key=f"so:{index}",
                payload={"service_order_id": index + 1, "status": "ACCEPTED", "job_id": "1"},
            )
        outcomes = run_concurrently(lambda _: outbox_sweep(), 2, reraise=True)
        assert all(outcome.get("sent", 0) > 0 for outcome in outcomes)  # both sweeps worked, on disjoint rows
        outcomes += [outbox_sweep()]  # whatever the two left (batch of 25 each)
    assert sum(result.get("sent", 0) for result in outcomes) == 40
    assert len(received) == 40 and set(received.values()) == {1}
    assert OutboxMessage.objects.filter(status="sent").count() == 40


def test_the_same_event_delivered_concurrently_is_applied_once():
    service_order = ServiceOrderFactory(status=ServiceOrder.Status.DISPATCHED)
    raw, signature = helpers.signed(
        helpers.fresh(service_order_id=service_order.pk, status="PRINTING", milestone={"note": "go"}), "race-secret"
    )

    def deliver(_):
        response = Client().post(
            "/api/bridge/jobs/1/status", data=raw, content_type="application/json", HTTP_X_SIGNATURE=signature
        )
        return response.status_code, response.json()["result"]

    outcomes = run_concurrently(deliver, 4, reraise=True)
    assert sorted(outcomes) == [(200, "duplicate"), (200, "duplicate"), (200, "duplicate"), (202, "queued")]
    service_order.refresh_from_db()  # applied by the task the intake kicked (eager, after its autocommit)
    assert service_order.status == "in_production"
    assert service_order.events.filter(kind="job_status").count() == 1
    assert InboundDelivery.objects.filter(dedupe_key__isnull=False).count() == 1
