"""Idempotency-Key: a retry replays the first result; another body is 409; concurrent retries run once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from makrx.idempotency import idempotency_keys_purge
from makrx.models import IdempotencyKey, Page
from makrx.tests import urls_for_tests

pytestmark = [pytest.mark.django_db, pytest.mark.urls("makrx.tests.urls_for_tests")]

URL = "/api/test/idempotent"


def post(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, format="json", **headers)


def test_without_a_key_every_request_acts(api_client):
    post(api_client, {"title": "a"})
    post(api_client, {"title": "a"})

    assert Page.objects.count() == 2
    assert IdempotencyKey.objects.count() == 0


def test_retry_with_the_same_key_replays_the_first_result(api_client):
    first = post(api_client, {"title": "order"}, key="k-1")
    second = post(api_client, {"title": "order"}, key="k-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Page.objects.count() == 1
    record = IdempotencyKey.objects.get()
    assert record.state == IdempotencyKey.State.DONE
    assert record.response_status == 201


def test_same_key_with_a_different_body_is_409(api_client):
    post(api_client, {"title": "order"}, key="k-2")

    response = post(api_client, {"title": "other"}, key="k-2")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Page.objects.count() == 1


def test_client_errors_are_kept_and_replayed(api_client):
    first = post(api_client, {"title": ""}, key="k-3")
    second = post(api_client, {"title": ""}, key="k-3")

    assert first.status_code == second.status_code == 400
    assert second.json()["code"] == "invalid"
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["request_id"] == second["X-Request-ID"] != first.json()["request_id"]


def test_server_errors_release_the_key(api_client, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(Page.objects, "create", explode)
    failed = post(api_client, {"title": "x"}, key="k-4")
    monkeypatch.undo()

    retried = post(api_client, {"title": "x"}, key="k-4")

    assert failed.status_code == 500
    assert retried.status_code == 201
    assert Page.objects.count() == 1


@pytest.mark.parametrize("key", ["x" * 256, "   "])
def test_invalid_keys_are_400(api_client, key):
    response = post(api_client, {"title": "x"}, key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert Page.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_run_the_handler_once():
    entered, release = threading.Event(), threading.Event()
    urls_for_tests.IDEMPOTENT_GATE.update(entered=entered, release=release)
    results: dict[str, object] = {}

    def first_request():
        try:
            results["first"] = post(APIClient(), {"title": "race"}, key="k-race")
        finally:
            connection.close()

    worker = threading.Thread(target=first_request)
    try:
        worker.start()
        assert entered.wait(10), "first request never reached the handler"
        results["second"] = post(APIClient(), {"title": "race"}, key="k-race")
    finally:
        release.set()
        worker.join(15)
        urls_for_tests.IDEMPOTENT_GATE.update(entered=None, release=None)

    assert results["second"].status_code == 409
    assert results["second"].json()["code"] == "request_in_progress"
    assert results["first"].status_code == 201
    assert Page.objects.filter(title="race").count() == 1
    replay = post(APIClient(), {"title": "race"}, key="k-race")
    assert replay.status_code == 201 and replay.json() == results["first"].json()


@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_retries_act_once():
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt():
        try:
            barrier.wait(5)
            response = post(APIClient(), {"title": "burst"}, key="k-burst")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert len(statuses) == 8
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert Page.objects.filter(title="burst").count() == 1


def test_purge_removes_only_old_keys():
    old = IdempotencyKey.objects.create(scope="s", owner="o", key="old", fingerprint="f")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=100))
    IdempotencyKey.objects.create(scope="s", owner="o", key="new", fingerprint="f")

    assert idempotency_keys_purge(older_than_hours=48) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_purge_task_uses_the_configured_retention(settings):
    from makrx.tasks import purge_idempotency_keys_task

    settings.IDEMPOTENCY_KEY_TTL_HOURS = 1
    old = IdempotencyKey.objects.create(scope="s", owner="o", key="old", fingerprint="f")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))

    assert purge_idempotency_keys_task.delay().get() == 1
    assert not IdempotencyKey.objects.exists()
