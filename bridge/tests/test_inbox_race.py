"""Real races on PostgreSQL: concurrent appliers apply each stored status exactly once (row locks,
``skip_locked``), and concurrent intakes of one event store it once."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.core.cache import cache

from bridge.models import InboundDelivery
from bridge.services.inbox import KICK_KEY, inbound_apply_pending
from bridge.services.receivers import inbound_receive
from bridge.tests import helpers
from makrx.tests.races import run_concurrently
from store.models import ServiceOrder, ServiceOrderEvent
from store.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    helpers.configure(settings, tmp_path)


def receive(order_id: int, status: str) -> int:
    body = json.dumps(helpers.fresh(service_order_id=order_id, status=status)).encode()
    reply = inbound_receive(
        endpoint="job.status", body=body, headers={}, path="/api/bridge/jobs/1/status", transport="in_process"
    )
    assert reply.status == 202, reply.body
    return reply.body["delivery_id"]


def test_concurrent_appliers_apply_each_delivery_exactly_once():
    orders = [ServiceOrderFactory(status=ServiceOrder.Status.DISPATCHED).pk for _ in range(40)]
    cache.add(KICK_KEY, 1, timeout=300)  # a task "is queued": the intakes publish none, the threads below apply
    for status in ("PUBLISHED", "ACCEPTED", "PRINTING"):
        for order_id in orders:
            receive(order_id, status)
    assert InboundDelivery.objects.filter(state="pending").count() == 120

    taken = run_concurrently(lambda _: inbound_apply_pending(), 3, reraise=True)

    assert sum(taken) == 120
    assert set(InboundDelivery.objects.values_list("state", "attempts")) == {("done", 1)}
    events = Counter(
        ServiceOrderEvent.objects.filter(kind__startswith="job_status").values_list("service_order_id", flat=True)
    )
    assert events == dict.fromkeys(orders, 3)  # one timeline row per delivery: none applied twice
    # Out of order across appliers is possible, backwards never: each order ends at its furthest status.
    assert set(ServiceOrder.objects.filter(pk__in=orders).values_list("status", flat=True)) == {"in_production"}


def test_the_same_event_received_concurrently_is_stored_once():
    order_id = ServiceOrderFactory(status=ServiceOrder.Status.DISPATCHED).pk
    cache.add(KICK_KEY, 1, timeout=300)
    body = json.dumps(helpers.fresh(service_order_id=order_id, status="ACCEPTED")).encode()

    def deliver(_):
        reply = inbound_receive(endpoint="job.status", body=body, headers={}, path="/x", transport="in_process")
        return reply.status, reply.body["result"]

    outcomes = run_concurrently(deliver, 4, reraise=True)
    assert sorted(outcomes) == [(200, "duplicate")] * 3 + [(202, "queued")]
    assert inbound_apply_pending() == 1
    assert ServiceOrderEvent.objects.filter(service_order_id=order_id, kind="job_status").count() == 1
