"""Retention: sent messages, inbound delivery logs and event keys older than BRIDGE_RETENTION_DAYS go, in
batches, nightly; dead and undelivered messages and younger rows stay; running it twice changes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from bridge.models import DeliveryAttempt, InboundDelivery, OutboxMessage, ReceivedEvent
from bridge.services.outbox import outbox_retention_purge
from bridge.tasks import retention_task

pytestmark = pytest.mark.django_db


def _message(status, *, sent_days_ago=None, created_days_ago=0, attempts=1):
    now = timezone.now()
    message = OutboxMessage.objects.create(
        kind="job.status",
        destination="store",
        key="so:1",
        payload={"status": "ACCEPTED"},
        status=status,
        sent_at=now - timedelta(days=sent_days_ago) if sent_days_ago is not None else None,
    )
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=now - timedelta(days=created_days_ago))
    for number in range(1, attempts + 1):
        DeliveryAttempt.objects.create(
            message=message, number=number, transport="http", result="sent", created_at=now - timedelta(days=40)
        )
    return message


def _inbound(days_ago):
    return InboundDelivery.objects.create(
        endpoint="job.status",
        transport="http",
        path="/api/bridge/jobs/1/status",
        result="applied",
        status_code=200,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def _key(key, days_ago):
    return ReceivedEvent.objects.create(
        key=key, endpoint="job.status", response={}, created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_old_finished_rows_are_deleted_in_batches_and_the_rest_is_kept(settings):
    settings.BRIDGE_RETENTION_DAYS = 30
    old_sent = [_message("sent", sent_days_ago=31, created_days_ago=31, attempts=2) for _ in range(5)]
    young_sent = _message("sent", sent_days_ago=29, created_days_ago=40)
    dead = _message("dead", created_days_ago=90, attempts=3)
    failed = _message("failed", created_days_ago=90)
    pending = _message("pending", created_days_ago=90, attempts=0)
    old_logs = [_inbound(31) for _ in range(3)]
    young_log = _inbound(1)
    old_event, legacy_key, young_event = (
        _key("event:a", 31),
        _key("legacy:job.status:1:ACCEPTED", 31),
        _key("event:b", 2),
    )

    deleted = outbox_retention_purge(batch=2)  # several batches per table

    assert deleted == {
        "bridge.OutboxMessage": 5,
        "bridge.DeliveryAttempt": 10,
        "bridge.InboundDelivery": 3,
        "bridge.ReceivedEvent": 1,
    }
    assert not OutboxMessage.objects.filter(pk__in=[m.pk for m in old_sent]).exists()
    kept = {young_sent.pk, dead.pk, failed.pk, pending.pk}
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == kept
    assert DeliveryAttempt.objects.filter(message_id=dead.pk).count() == 3  # a dead message keeps its history
    assert not InboundDelivery.objects.filter(pk__in=[log.pk for log in old_logs]).exists()
    assert InboundDelivery.objects.get().pk == young_log.pk
    assert set(ReceivedEvent.objects.values_list("pk", flat=True)) == {legacy_key.pk, young_event.pk}
    assert not ReceivedEvent.objects.filter(pk=old_event.pk).exists()

    # Idempotent: a second run (the beat task) finds nothing more.
    assert retention_task.delay().get() == {}
    assert OutboxMessage.objects.count() == 4 and InboundDelivery.objects.count() == 1


def test_the_window_follows_the_setting(settings):
    settings.BRIDGE_RETENTION_DAYS = 7
    _message("sent", sent_days_ago=8)
    _inbound(8)
    assert outbox_retention_purge() == {
        "bridge.OutboxMessage": 1,
        "bridge.DeliveryAttempt": 1,
        "bridge.InboundDelivery": 1,
    }


def test_the_retention_task_runs_nightly_on_the_bridge_queue():
    from makrx.celery import app

    entry = django_settings.CELERY_BEAT_SCHEDULE["bridge-retention"]
    assert entry["task"] == retention_task.name == "bridge.tasks.retention_task"
    schedule = entry["schedule"]  # once a day, at night
    assert (schedule.hour, schedule.minute) == ({3}, {20}) and len(schedule.day_of_week) == 7
    assert app.amqp.router.route({}, retention_task.name)["queue"].name == "bridge"
