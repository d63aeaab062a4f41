"""Celery: the request id travels in task headers and is restored in the worker; task defaults."""

from __future__ import annotations

import time

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from makrx.celery import app
from makrx.logging import bind_request_context, clear_request_context, current_request_id

SEEN: list[str | None] = []


@shared_task(bind=True, name="makrx.tests.record_request_id")
def record_request_id(self) -> str | None:
    SEEN.append(current_request_id())
    return current_request_id()


@pytest.fixture(autouse=True)
def _reset():
    SEEN.clear()
    clear_request_context()
    yield
    clear_request_context()


def test_eager_task_sees_the_request_id_and_the_caller_keeps_it():
    bind_request_context(request_id="req-eager-1")

    record_request_id.delay()

    assert SEEN == ["req-eager-1"]
    assert current_request_id() == "req-eager-1"  # the request's own context survives the task


def test_eager_task_without_a_request_gets_its_own_id():
    record_request_id.delay()

    assert SEEN[0] and SEEN[0].startswith("task-")
    assert current_request_id() is None


@pytest.mark.django_db
@pytest.mark.urls("makrx.tests.celery_urls")
def test_task_enqueued_in_a_request_sees_that_request_id(api_client):
    response = api_client.post("/api/test/enqueue", HTTP_X_REQUEST_ID="req-from-http")

    assert response.status_code == 200
    assert SEEN == ["req-from-http"]
    assert response.json() == {"request_id": "req-from-http"}


def test_request_id_travels_in_headers_to_a_real_worker(request):
    """Publish through a broker (in-memory transport) and let a real worker thread run the task."""
    saved = {name: app.conf[name] for name in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url="memory://")
    request.addfinalizer(lambda: app.conf.update(saved))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        bind_request_context(request_id="req-worker-7")
        with app.connection_for_write("memory://") as conn:
            record_request_id.apply_async(connection=conn, queue="default")
        clear_request_context()
        deadline = time.monotonic() + 10
        while not SEEN and time.monotonic() < deadline:
            time.sleep(0.05)
    connection.close()

    assert SEEN == ["req-worker-7"]


def test_publish_puts_the_request_id_in_message_headers():
    from celery import signals

    captured: dict = {}

    def capture(headers=None, **kwargs):
        captured.update(headers or {})

    # Connected after makrx.celery's handler, so it sees what that handler attached.
    signals.before_task_publish.connect(capture)
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write("memory://") as conn:
            bind_request_context(request_id="req-header-9")
            record_request_id.apply_async(connection=conn, queue="default")
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        signals.before_task_publish.disconnect(capture)

    assert captured.get("request_id") == "req-header-9"


def test_celery_defaults_from_settings():
    conf = app.conf

    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert conf.task_time_limit > conf.task_soft_time_limit
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert {q.name for q in conf.task_queues} == {"default", "notifications", "bridge"}
    assert conf.task_default_queue == "default"
    assert conf.worker_hijack_root_logger is False
    assert "clear-expired-idempotency-keys" in conf.beat_schedule


def test_eager_without_any_broker_in_development():
    from makrx.tests.subprocess_env import base_env, run_python

    snippet = "import django; django.setup()\nfrom makrx.celery import app\nprint(app.conf.task_always_eager)"

    result = run_python(snippet, base_env())

    assert result.stdout.strip().splitlines()[-1] == "True"


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("makrx.tasks.send_notification_task", "notifications"),
        ("makrx.tasks.send_notification_webhook_task", "notifications"),
        ("makrx.tasks.send_notification_digest_task", "notifications"),
        ("makrx.tasks.send_notification_sweep_task", "notifications"),
        ("makrx.tasks.purge_idempotency_keys_task", "default"),
        ("bridge.tasks.deliver_message_task", "bridge"),
        ("bridge.tasks.sweep_outbox_task", "bridge"),
        ("bridge.tasks.apply_inbound_deliveries_task", "bridge"),
    ],
)
def test_tasks_are_routed_to_their_queues(task_name, queue):
    from makrx.celery import app as celery_app

    assert task_name in celery_app.tasks, f"{task_name} is not a registered task"
    route = app.amqp.router.route({}, task_name)

    assert route["queue"].name == queue


def test_every_scheduled_task_is_a_registered_task():
    """A beat entry naming a plain function (a lost ``@shared_task``) or a renamed task would fail silently."""
    from django.conf import settings

    from makrx.celery import app

    app.loader.import_default_modules()
    missing = sorted(
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] not in app.tasks
    )
    assert missing == []
