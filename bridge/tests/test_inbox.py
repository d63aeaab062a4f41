"""The job-status inbox: the apply (idempotent, a failure stays visible, a crash leaves the batch pending, failed
rows retried up to a limit), the kick (one task per burst, drained until empty), the admin actions, retention
and the gauge."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from bridge.models import InboundDelivery
from bridge.services import inbox
from bridge.services.inbox import KICK_KEY, inbound_apply_drain, inbound_apply_pending, inbox_gauge_collect
from bridge.services.outbox import outbox_retention_purge
from bridge.services.receivers import inbound_receive
from bridge.tests import helpers
from makrx import metrics
from store.models import ServiceOrder
from store.services import service_orders
from store.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    helpers.configure(settings, tmp_path)


def receive(service_order, status, **fields):
    """A status delivery through the receiver (in process, no credentials configured): stored, not applied (the
    test transaction never commits, so the kick's task does not run)."""
    body = helpers.fresh(service_order_id=service_order.pk, status=status, **fields)
    reply = inbound_receive(
        endpoint="job.status",
        body=json.dumps(body).encode(),
        headers={},
        path="/api/bridge/jobs/1/status",
        path_params={"job_id": "1"},
        transport="in_process",
    )
    assert reply.status == 202, reply.body
    return InboundDelivery.objects.get(pk=reply.body["delivery_id"])


def dispatched(n=1):
    return [ServiceOrderFactory(status=ServiceOrder.Status.DISPATCHED) for _ in range(n)]


def test_the_intake_statement_is_prepared_once_per_connection():
    """PostgreSQL plans the intake once per connection (``makrx.prepared``), not on every delivery: Django's own
    cursors would bind on the client, and Django turns psycopg's preparation off."""
    (order,) = dispatched()
    for status in ("ACCEPTED", "PRINTING", "READY"):
        receive(order, status)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["WITH so AS (SELECT %"])
        assert cursor.fetchone()[0] == 1


def test_the_apply_is_idempotent():
    orders = dispatched(3)
    for order in orders:
        receive(order, "ACCEPTED")
    assert InboundDelivery.objects.filter(state="pending").count() == 3

    assert inbound_apply_pending() == 3
    assert inbound_apply_pending() == 0  # run twice: nothing more
    for order in orders:
        order.refresh_from_db()
        assert order.status == "assigned_to_provider" and order.job_ref == "1"
        assert order.events.filter(kind="job_status").count() == 1
    rows = set(InboundDelivery.objects.values_list("state", "apply_result", "attempts"))
    assert rows == {("done", "applied", 1)}


def test_the_apply_takes_rows_in_id_order_in_batches(monkeypatch):
    monkeypatch.setattr(inbox, "APPLY_BATCH", 2)
    (order,) = dispatched()
    for status in ("PUBLISHED", "ACCEPTED", "PRINTING", "READY", "SHIPPED"):
        receive(order, status)
    assert inbound_apply_pending(limit=3) == 3
    assert inbound_apply_pending() == 2
    order.refresh_from_db()
    assert order.status == "shipped"
    assert list(order.events.filter(kind="job_status").values_list("data__wire_status", flat=True)) == [
        "PUBLISHED",
        "ACCEPTED",
        "PRINTING",
        "READY",
        "SHIPPED",
    ]


def test_out_of_order_statuses_are_recorded_ignored(settings):
    (order,) = dispatched()
    receive(order, "SHIPPED")
    late = receive(order, "ACCEPTED")
    assert inbound_apply_pending() == 2
    order.refresh_from_db()
    late.refresh_from_db()
    assert order.status == "shipped" and (late.state, late.apply_result) == ("done", "ignored")
    assert order.events.filter(kind="job_status_ignored", data__wire_status="ACCEPTED").exists()


def test_a_failure_leaves_its_row_failed_and_the_others_applied(monkeypatch, settings):
    settings.BRIDGE_INBOX_MAX_ATTEMPTS = 2
    first, broken, last = dispatched(3)
    deliveries = [receive(order, "ACCEPTED") for order in (first, broken, last)]
    real = service_orders.service_order_status_apply

    def apply(*, service_order, **kwargs):
        if service_order.pk == broken.pk:
            raise RuntimeError("the notification template is broken")
        return real(service_order=service_order, **kwargs)

    monkeypatch.setattr(service_orders, "service_order_status_apply", apply)
    assert inbound_apply_pending() == 3
    rows = {d.pk: d for d in InboundDelivery.objects.all()}
    failed = rows[deliveries[1].pk]
    assert (failed.state, failed.apply_result, failed.attempts) == ("failed", "failed", 1)
    assert failed.detail == "RuntimeError: the notification template is broken"
    assert {rows[d.pk].apply_result for d in (deliveries[0], deliveries[2])} == {"applied"}
    broken.refresh_from_db()
    assert broken.status == "dispatched" and not broken.events.filter(kind="job_status").exists()

    # The task leaves failed rows alone; the sweep retries them up to BRIDGE_INBOX_MAX_ATTEMPTS, then they stay.
    assert inbound_apply_pending() == 0
    assert inbound_apply_pending(retry_failed=True) == 1
    assert inbound_apply_pending(retry_failed=True) == 0
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("failed", 2)

    # Fixed, a platform admin's retry gives it fresh attempts and it applies once.
    monkeypatch.setattr(service_orders, "service_order_status_apply", real)
    staff = get_user_model().objects.create_user(username="staff", is_staff=True, roles=["admin"])
    inbox.inbound_delivery_retry(actor=staff, delivery=failed)
    assert inbound_apply_pending() == 1
    failed.refresh_from_db()
    assert (failed.state, failed.apply_result, failed.attempts, failed.detail) == ("done", "applied", 1, "")
    broken.refresh_from_db()
    assert broken.status == "assigned_to_provider"


class Crash(BaseException):
    """What a killed worker looks like from inside: not an error the apply records, the process is gone."""


def test_a_crash_mid_batch_leaves_the_batch_pending_for_the_next_run(monkeypatch):
    orders = dispatched(3)
    for order in orders:
        receive(order, "ACCEPTED")
    real = service_orders.service_order_status_apply

    def apply(*, service_order, **kwargs):
        if service_order.pk == orders[1].pk:
            raise Crash
        return real(service_order=service_order, **kwargs)

    monkeypatch.setattr(service_orders, "service_order_status_apply", apply)
    with pytest.raises(Crash):
        inbound_apply_pending()
    assert set(InboundDelivery.objects.values_list("state", "attempts")) == {("pending", 0)}
    orders[0].refresh_from_db()
    assert orders[0].status == "dispatched" and not orders[0].events.filter(kind="job_status").exists()

    monkeypatch.setattr(service_orders, "service_order_status_apply", real)
    assert inbound_apply_pending() == 3
    for order in orders:
        assert order.events.filter(kind="job_status").count() == 1


def test_with_the_kick_key_present_no_task_is_published(django_capture_on_commit_callbacks, monkeypatch):
    from bridge.tasks import apply_inbound_deliveries_task

    published = []
    monkeypatch.setattr(apply_inbound_deliveries_task, "delay", lambda: published.append(1))
    (order,) = dispatched()
    cache.add(KICK_KEY, 1, timeout=60)  # a task is queued or draining
    with django_capture_on_commit_callbacks(execute=True):
        receive(order, "ACCEPTED")
    assert published == []
    assert InboundDelivery.objects.get().state == "pending"  # left to the task that holds the key


def test_a_burst_publishes_one_task_which_drains_and_deletes_the_key(django_capture_on_commit_callbacks, monkeypatch):
    from bridge.tasks import apply_inbound_deliveries_task

    published = []
    monkeypatch.setattr(apply_inbound_deliveries_task, "delay", lambda: published.append(1))
    orders = dispatched(3)
    with django_capture_on_commit_callbacks(execute=True):
        for order in orders:
            receive(order, "ACCEPTED")  # each intake commits and kicks: only the first adds the key
    assert published == [1] and cache.get(KICK_KEY) == 1
    assert apply_inbound_deliveries_task() == 3  # the worker runs it
    assert cache.get(KICK_KEY) is None
    assert set(InboundDelivery.objects.values_list("state", "apply_result")) == {("done", "applied")}


def test_the_kick_waits_for_the_commit(django_capture_on_commit_callbacks):
    (order,) = dispatched()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receive(order, "ACCEPTED")
    assert len(callbacks) == 1 and cache.get(KICK_KEY) is None  # nothing added before the commit
    callbacks[0]()  # the commit: the key is added and the task published (eager here: it runs and drains)
    assert cache.get(KICK_KEY) is None and InboundDelivery.objects.get().apply_result == "applied"


def test_the_task_drains_until_a_round_finds_nothing(monkeypatch):
    orders = dispatched(3)
    receive(orders[0], "ACCEPTED")
    cache.add(KICK_KEY, 1, timeout=60)
    rounds = []
    real = inbox.inbound_apply_pending

    def apply_round(**kwargs):
        assert cache.get(KICK_KEY) is None  # deleted before each fetch
        taken = real(**kwargs)
        rounds.append(taken)
        if len(rounds) == 1:  # stored while the first round ran: its kick saw no key; the next round takes it
            receive(orders[1], "ACCEPTED")
            receive(orders[2], "ACCEPTED")
            cache.add(KICK_KEY, 1, timeout=60)
        return taken

    monkeypatch.setattr(inbox, "inbound_apply_pending", apply_round)
    assert inbound_apply_drain() == 3
    assert rounds == [1, 2, 0] and cache.get(KICK_KEY) is None


def test_the_minute_sweep_applies_what_a_lost_kick_left():
    from bridge.tasks import sweep_outbox_task

    (order,) = dispatched()
    receive(order, "READY")
    assert sweep_outbox_task() == {"inbox_applied": 1}
    order.refresh_from_db()
    assert order.status == "ready_for_shipping"


def test_admin_applies_pending_and_retries_failed_deliveries(admin_client, monkeypatch):
    pending_order, failed_order = dispatched(2)
    pending = receive(pending_order, "ACCEPTED")
    failed = receive(failed_order, "ACCEPTED")
    InboundDelivery.objects.filter(pk=failed.pk).update(state="failed", apply_result="failed", attempts=5)
    url = "/admin/bridge/inbounddelivery/"
    assert admin_client.get(url, {"state__exact": "pending"}).status_code == 200

    response = admin_client.post(url, {"action": "apply_now", "_selected_action": [pending.pk]})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.state, pending.apply_result) == ("done", "applied")
    assert LogEntry.objects.filter(object_id=str(pending.pk), change_message__contains="applied").exists()
    # Applying it again is refused (a warning, not a second apply).
    admin_client.post(url, {"action": "apply_now", "_selected_action": [pending.pk]})
    assert pending_order.events.filter(kind="job_status").count() == 1

    response = admin_client.post(url, {"action": "retry_failed", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("pending", 0)
    assert admin_client.get(f"{url}{failed.pk}/change/").status_code == 200


def test_only_platform_admins_apply_or_retry():
    from makrx.errors import PermissionDenied

    (order,) = dispatched()
    delivery = receive(order, "ACCEPTED")
    member = get_user_model().objects.create_user(username="not-staff")
    # A makerspace's admin is an admin user too (is_staff), but the bridge is not theirs.
    space_admin = get_user_model().objects.create_user(
        username="space-admin", is_staff=True, roles=["makerspace_admin"]
    )
    for actor in (member, space_admin):
        with pytest.raises(PermissionDenied):
            inbox.inbound_delivery_apply_now(actor=actor, delivery=delivery)
        with pytest.raises(PermissionDenied):
            inbox.inbound_delivery_retry(actor=actor, delivery=delivery)


def test_retention_keeps_unapplied_rows_and_an_older_senders_keys(settings):
    (order,) = dispatched()
    old = timezone.now() - timedelta(days=settings.BRIDGE_RETENTION_DAYS + 1)
    applied = receive(order, "PUBLISHED")
    pending = receive(order, "ACCEPTED")
    legacy = InboundDelivery.objects.create(
        endpoint="job.status", path="/", result="queued", status_code=202, dedupe_key="legacy:job.status:1:READY"
    )
    inbound_apply_pending(ids=[applied.pk])
    InboundDelivery.objects.update(created_at=old)
    outbox_retention_purge()
    assert set(InboundDelivery.objects.values_list("pk", flat=True)) == {pending.pk, legacy.pk}


def test_the_gauge_counts_open_rows():
    orders = dispatched(2)
    for order in orders:
        receive(order, "ACCEPTED")
    first = InboundDelivery.objects.order_by("id").first()
    InboundDelivery.objects.filter(pk=first.pk).update(state="failed")
    inbox_gauge_collect()
    assert metrics.BRIDGE_INBOX.labels("pending")._value.get() == 1
    assert metrics.BRIDGE_INBOX.labels("failed")._value.get() == 1


def test_the_intake_stores_every_column_through_the_prepared_statement():
    """The statement binds what the receiver passes and writes the other columns' defaults as literals."""
    (order,) = dispatched()
    before = timezone.now()
    delivery = receive(order, "ACCEPTED", event_id="evt-columns")
    assert delivery.event_id == "evt-columns" and delivery.dedupe_key == "event:evt-columns"
    assert delivery.endpoint == "job.status" and delivery.transport == "in_process"
    assert delivery.state == "pending" and delivery.result == "queued" and delivery.status_code == 202
    assert delivery.attempts == 0 and delivery.apply_result == "" and delivery.processed_at is None
    assert delivery.message["service_order_id"] == order.pk and delivery.message["status"] == "ACCEPTED"
    assert before <= delivery.created_at <= timezone.now()
    with pytest.raises(TypeError):
        inbox.inbox_store(service_order_id=order.pk, row={"attempts": 3})  # not the receivers' to set


def test_without_postgresql_the_intake_takes_two_statements_with_the_same_answers(monkeypatch):
    """SQLite (``make run``) has no INSERT inside a WITH: the same outcomes from a read and an insert."""
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    (order,) = dispatched()
    row = {"endpoint": "job.status", "path": "/x", "result": "queued", "status_code": 202, "dedupe_key": "k1"}
    status, first = inbox.inbox_store(service_order_id=order.pk, row=row)
    assert status == "dispatched" and first is not None
    assert inbox.inbox_store(service_order_id=order.pk, row=row) == ("dispatched", None)  # the key exists
    assert inbox.inbox_store(service_order_id=order.pk + 10_000, row={**row, "dedupe_key": "k2"}) == (None, None)
    assert list(InboundDelivery.objects.values_list("pk", "state")) == [(first, "pending")]


def test_a_process_coalesces_its_kicks_and_kicks_after_every_request(monkeypatch):
    """A web process asks its kicker thread; a burst costs a few kicks, and the last kick starts after the last
    request (so no stored delivery waits for the sweep)."""
    import threading
    import time

    kicks, lock = [], threading.Lock()

    def kick():
        with lock:
            kicks.append(time.monotonic())
        time.sleep(0.005)

    monkeypatch.setattr(inbox, "_kick", kick)
    kicker = inbox._Kicker()
    last_request = 0.0
    for _ in range(200):
        kicker.request(0.02)
        last_request = time.monotonic()
        time.sleep(0.0005)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (not kicks or kicks[-1] < last_request):
        time.sleep(0.01)
    assert kicks and kicks[-1] >= last_request
    assert len(kicks) < 50  # 200 requests over ~0.1-0.3 s: one kick per 20 ms interval at most, not one each


def test_the_kicker_is_used_only_with_a_broker(settings, monkeypatch):
    calls = []
    monkeypatch.setattr(inbox, "_kick", lambda: calls.append("inline"))
    monkeypatch.setattr(inbox._KICKER, "request", lambda interval: calls.append(("kicker", interval)))
    settings.CELERY_TASK_ALWAYS_EAGER, settings.BRIDGE_INBOX_KICK_COALESCE_MS = True, 50
    inbox._kick_soon()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    inbox._kick_soon()
    settings.BRIDGE_INBOX_KICK_COALESCE_MS = 0
    inbox._kick_soon()
    assert calls == ["inline", ("kicker", 0.05), "inline"]
