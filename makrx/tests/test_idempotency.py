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
from makrx.tests.races import run_concurrently

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
    responses = run_concurrently(lambda _: post(APIClient(), {"title": "burst"}, key="k-burst"), 8, reraise=True)

    statuses = [response.status_code for response in responses]
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


# --- leases: a request that died does not hold its key for the whole retention -----------------------------


def _stranded(key: str, *, title: str, expired_seconds_ago: int = 5) -> IdempotencyKey:
    """A key left in progress by a request whose worker died, its lease already over."""
    from makrx.idempotency import request_fingerprint

    return IdempotencyKey.objects.create(
        scope="test.create",
        owner="anon",
        key=key,
        fingerprint=request_fingerprint({"title": title}),
        lease_token="dead-worker",
        locked_until=timezone.now() - timedelta(seconds=expired_seconds_ago),
    )


def test_a_stranded_key_is_taken_over_after_its_lease(api_client):
    stranded = _stranded("k-stranded", title="revived")

    retried = post(api_client, {"title": "revived"}, key="k-stranded")
    replayed = post(api_client, {"title": "revived"}, key="k-stranded")

    assert retried.status_code == 201
    assert Page.objects.filter(title="revived").count() == 1
    record = IdempotencyKey.objects.get(pk=stranded.pk)
    assert record.state == IdempotencyKey.State.DONE
    assert record.response_status == 201
    assert record.response_body == retried.json()
    assert record.lease_token != "dead-worker"
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert replayed.json() == retried.json()


def test_a_legacy_in_progress_key_without_a_lease_can_be_taken_over(api_client):
    stranded = _stranded("k-legacy", title="legacy")
    IdempotencyKey.objects.filter(pk=stranded.pk).update(locked_until=None, lease_token="")

    response = post(api_client, {"title": "legacy"}, key="k-legacy")

    assert response.status_code == 201
    assert IdempotencyKey.objects.get(pk=stranded.pk).state == IdempotencyKey.State.DONE


def test_a_live_lease_answers_409_with_retry_after(api_client, settings):
    settings.IDEMPOTENCY_LEASE_SECONDS = 60
    live = _stranded("k-live", title="busy")
    IdempotencyKey.objects.filter(pk=live.pk).update(locked_until=timezone.now() + timedelta(seconds=42))

    response = post(api_client, {"title": "busy"}, key="k-live")

    assert response.status_code == 409
    assert response.json()["code"] == "request_in_progress"
    assert 40 <= int(response["Retry-After"]) <= 42
    assert not Page.objects.filter(title="busy").exists()
    assert IdempotencyKey.objects.get(pk=live.pk).state == IdempotencyKey.State.IN_PROGRESS


def test_a_new_key_holds_a_lease_of_the_configured_length(api_client, settings, monkeypatch):
    settings.IDEMPOTENCY_LEASE_SECONDS = 90
    seen = {}
    original = Page.objects.create

    def create(**kwargs):
        seen["record"] = IdempotencyKey.objects.get(key="k-lease")
        return original(**kwargs)

    monkeypatch.setattr(Page.objects, "create", create)
    post(api_client, {"title": "leased"}, key="k-lease")

    record = seen["record"]
    assert record.state == IdempotencyKey.State.IN_PROGRESS
    remaining = (record.locked_until - timezone.now()).total_seconds()
    assert 80 < remaining <= 90
    assert IdempotencyKey.objects.get(key="k-lease").locked_until is None  # done: no lease any more


def test_a_late_finisher_does_not_overwrite_the_first_result(api_client):
    """The first worker outlived its lease; a retry took over and finished first: its answer is the one kept."""
    from makrx.idempotency import _finish

    stranded = _stranded("k-late", title="late")
    retried = post(api_client, {"title": "late"}, key="k-late")

    from rest_framework.response import Response

    _finish(stranded, Response({"id": -1, "title": "late"}, status=201))

    replay = post(api_client, {"title": "late"}, key="k-late")
    assert replay.json() == retried.json()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_takeovers_of_a_stranded_key_run_once():
    _stranded("k-takeover", title="takeover")
    entered, release = threading.Event(), threading.Event()
    urls_for_tests.IDEMPOTENT_GATE.update(entered=entered, release=release)

    def retry(index):
        response = post(APIClient(), {"title": "takeover"}, key="k-takeover")
        if response.status_code == 409:
            release.set()  # the loser has answered: let the winner finish
        return response

    try:
        outcomes = run_concurrently(retry, 2, reraise=True)
    finally:
        release.set()
        urls_for_tests.IDEMPOTENT_GATE.update(entered=None, release=None)

    statuses = sorted(outcome.status_code for outcome in outcomes)
    assert statuses == [201, 409], outcomes
    loser = next(outcome for outcome in outcomes if outcome.status_code == 409)
    assert loser.json()["code"] == "request_in_progress" and int(loser["Retry-After"]) >= 1
    assert Page.objects.filter(title="takeover").count() == 1
    record = IdempotencyKey.objects.get(key="k-takeover")
    assert record.state == IdempotencyKey.State.DONE and record.response_status == 201


def test_admin_lists_keys_with_their_lease(admin_client):
    stranded = _stranded("k-admin", title="admin")

    listing = admin_client.get("/admin/makrx/idempotencykey/")
    detail = admin_client.get(f"/admin/makrx/idempotencykey/{stranded.pk}/change/")

    assert listing.status_code == 200 and "k-admin" in listing.content.decode()
    assert detail.status_code == 200
