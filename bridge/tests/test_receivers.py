"""Inbound receivers: verification before anything else, dedupe, freshness, out-of-order statuses, the wire
paths, bad bodies, and the deliveries log (never a secret). A status delivery is stored (202 ``queued``) and
applied by the inbox task once the intake commits (eager Celery here, as in ``make run``)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from bridge.models import InboundDelivery, ReceivedEvent
from bridge.tests import helpers
from makerspace.models import ServiceJob
from store.models import ServiceOrder
from store.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db

SECRET = "cave-webhook-secret-for-tests"
API_KEY = "makrcave-api-key-for-tests"
PATHS = ("/api/bridge/jobs/{job}/status", "/bridge/jobs/{job}/status", "/api/v1/bridge/jobs/{job}/status")


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    helpers.configure(settings, tmp_path)
    settings.CAVE_WEBHOOK_SECRET = SECRET
    settings.MAKRCAVE_API_KEY = API_KEY


@pytest.fixture
def dispatched():
    service_order = ServiceOrderFactory(status=ServiceOrder.Status.DISPATCHED)
    return service_order


def post_signed(client, path, body: dict, secret=SECRET, **headers):
    raw, signature = helpers.signed(body, secret)
    return client.post(path, data=raw, content_type="application/json", HTTP_X_SIGNATURE=signature, **headers)


@pytest.fixture
def post(api_client, django_capture_on_commit_callbacks):
    """POST a signed delivery and run what its commit kicks (the inbox apply task, eager)."""

    def post(path, body: dict, secret=SECRET, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return post_signed(api_client, path, body, secret, **headers)

    return post


def status_body(service_order, status, **fields):
    return helpers.fresh(service_order_id=service_order.pk, status=status, milestone={"note": "", "at": None}, **fields)


@pytest.mark.parametrize("path", PATHS)
def test_each_wire_path_queues_a_signed_status_and_the_task_applies_it(post, dispatched, path):
    response = post(path.format(job=42), status_body(dispatched, "ACCEPTED"))
    assert response.status_code == 202, response.json()
    delivery = InboundDelivery.objects.get()
    assert response.json() == {
        "received": True,
        "result": "queued",
        "service_order_id": dispatched.pk,
        "status": "dispatched",  # at receipt: the apply comes after the answer
        "delivery_id": delivery.pk,
    }
    dispatched.refresh_from_db()
    assert dispatched.status == "assigned_to_provider" and dispatched.job_ref == "42"
    assert delivery.verified and delivery.auth_method == "signature" and delivery.result == "queued"
    assert (delivery.status_code, delivery.state, delivery.apply_result, delivery.attempts) == (
        202,
        "done",
        "applied",
        1,
    )
    assert delivery.dedupe_key == f"event:{json.loads(delivery.body)['event_id']}" and delivery.processed_at
    assert delivery.headers["x-signature"] == "<present>" and SECRET not in json.dumps(delivery.headers)


def test_the_api_key_verifies_too_and_is_never_stored(api_client, dispatched):
    body = json.dumps(status_body(dispatched, "ACCEPTED")).encode()
    response = api_client.post(
        "/api/bridge/jobs/1/status", data=body, content_type="application/json", HTTP_X_API_KEY=API_KEY
    )
    assert response.status_code == 202
    delivery = InboundDelivery.objects.get()
    assert delivery.auth_method == "api_key" and delivery.headers["x-api-key"] == "<present>"
    assert API_KEY not in json.dumps(delivery.headers) + delivery.body


def test_forged_deliveries_are_refused_before_any_lookup(api_client, dispatched):
    """A wrong signature for an unknown order is 403, not 404: nothing is looked up or parsed first."""
    unknown = helpers.fresh(service_order_id=999999, status="SHIPPED")
    forged = post_signed(api_client, "/api/bridge/jobs/1/status", unknown, secret="not-the-secret")
    assert forged.status_code == 403 and forged.json()["code"] == "invalid_signature"
    not_json = api_client.post(
        "/api/bridge/jobs/1/status", data=b"{nope", content_type="application/json", HTTP_X_SIGNATURE="sha256=00"
    )
    assert not_json.status_code == 403  # not a 400: the signature is checked before the body is read
    wrong_key = api_client.post(
        "/api/bridge/jobs/1/status", data=b"{}", content_type="application/json", HTTP_X_API_KEY="guess"
    )
    assert wrong_key.status_code == 403 and wrong_key.json()["code"] == "invalid_api_key"
    # A tampered body under a genuine signature of another body.
    raw, signature = helpers.signed(status_body(dispatched, "ACCEPTED"), SECRET)
    tampered = raw.replace(b"ACCEPTED", b"SHIPPED")
    response = api_client.post(
        "/api/bridge/jobs/1/status", data=tampered, content_type="application/json", HTTP_X_SIGNATURE=signature
    )
    assert response.status_code == 403
    dispatched.refresh_from_db()
    assert dispatched.status == "dispatched"
    logged = InboundDelivery.objects.all()
    assert logged.count() == 4 and {d.result for d in logged} == {"rejected"} and not any(d.verified for d in logged)
    assert not logged.exclude(state="").exists() and not logged.filter(dedupe_key__isnull=False).exists()


def test_missing_credentials_are_401_outside_development_and_logged_in_development(api_client, settings, dispatched):
    body = json.dumps(status_body(dispatched, "ACCEPTED")).encode()
    settings.IS_DEVELOPMENT = False
    refused = api_client.post("/api/bridge/jobs/1/status", data=body, content_type="application/json")
    assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"
    settings.IS_DEVELOPMENT = True
    allowed = api_client.post("/api/bridge/jobs/1/status", data=body, content_type="application/json")
    assert allowed.status_code == 202
    assert list(InboundDelivery.objects.order_by("id").values_list("result", "verified", "auth_method")) == [
        ("rejected", False, ""),
        ("queued", False, "none"),
    ]


def test_duplicates_and_replays_are_answered_and_applied_once(post, dispatched):
    body = status_body(dispatched, "ACCEPTED")
    first = post("/api/bridge/jobs/7/status", body)
    again = post("/api/bridge/jobs/7/status", body)
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == {
        "received": True,
        "result": "duplicate",
        "duplicate": True,
        "service_order_id": dispatched.pk,
        "status": "assigned_to_provider",
    }
    assert dispatched.events.filter(kind="job_status").count() == 1
    assert not ReceivedEvent.objects.exists()  # the inbox row carries the key
    rows = list(InboundDelivery.objects.order_by("id").values_list("result", "state", "apply_result", "dedupe_key"))
    assert rows == [("queued", "done", "applied", f"event:{body['event_id']}"), ("duplicate", "", "", None)]


def test_stale_and_future_timestamps_are_refused(api_client, dispatched):
    for shift in (timedelta(minutes=-6), timedelta(minutes=6)):
        body = status_body(dispatched, "ACCEPTED")
        body["sent_at"] = (timezone.now() + shift).isoformat()
        response = post_signed(api_client, "/api/bridge/jobs/1/status", body)
        assert response.status_code == 400 and response.json()["code"] == "stale_message"
    half = status_body(dispatched, "ACCEPTED")
    del half["sent_at"]
    assert post_signed(api_client, "/api/bridge/jobs/1/status", half).status_code == 400
    dispatched.refresh_from_db()
    assert dispatched.status == "dispatched"
    assert set(InboundDelivery.objects.values_list("result", "state")) == {("invalid", "")}  # nothing queued


def test_an_older_sender_without_event_id_is_deduplicated_by_order_and_status(post, dispatched):
    body = {"service_order_id": dispatched.pk, "status": "printing", "milestone": {"at": None, "note": "on it"}}
    assert post("/api/bridge/jobs/3/status", body).json()["result"] == "queued"
    assert post("/api/bridge/jobs/3/status", body).json()["result"] == "duplicate"
    dispatched.refresh_from_db()
    assert dispatched.status == "in_production"
    assert dispatched.events.filter(kind="job_status").count() == 1
    queued = InboundDelivery.objects.get(result="queued")
    assert queued.dedupe_key == f"legacy:job.status:{dispatched.pk}:PRINTING" and queued.apply_result == "applied"


def test_out_of_order_statuses_are_recorded_and_never_move_the_order_back(post, dispatched):
    for status in ("PRINTING", "SHIPPED", "ACCEPTED", "READY", "CANCELLED"):
        assert post("/api/bridge/jobs/1/status", status_body(dispatched, status)).status_code == 202
    dispatched.refresh_from_db()
    assert dispatched.status == "shipped"
    kinds = list(dispatched.events.filter(kind__startswith="job_status").values_list("kind", "data__wire_status"))
    assert kinds == [
        ("job_status", "PRINTING"),
        ("job_status", "SHIPPED"),
        ("job_status_ignored", "ACCEPTED"),
        ("job_status_ignored", "READY"),
        ("job_status_ignored", "CANCELLED"),
    ]
    results = list(InboundDelivery.objects.order_by("id").values_list("state", "apply_result"))
    assert results == [("done", "applied")] * 2 + [("done", "ignored")] * 3


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"not json", None),
        (b"[1, 2]", None),
        (b'{"service_order_id": "abc", "status": "SHIPPED"}', "service_order_id"),
        (b'{"service_order_id": 1, "status": "BURNT"}', "status"),
        (b'{"service_order_id": 1, "status": ["SHIPPED"]}', "status"),
        (b'{"service_order_id": 1, "status": "SHIPPED", "milestone": "soon"}', "milestone.non_field_errors"),
        (b"\xff\xfe", None),
    ],
)
def test_bad_bodies_are_400_in_the_error_format(api_client, raw, field):
    _, signature = helpers.signed({}, SECRET)
    import hashlib
    import hmac

    signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = api_client.post(
        "/api/bridge/jobs/1/status", data=raw, content_type="application/json", HTTP_X_SIGNATURE=signature
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"detail", "code", "request_id"}
    if field:
        assert field in body["errors"]
    delivery = InboundDelivery.objects.get()
    assert (delivery.result, delivery.state, delivery.dedupe_key) == ("invalid", "", None)  # nothing queued


RECEIVER_PATHS = (
    "/api/bridge/jobs/1/status",
    "/api/v1/bridge/jobs",
    "/api/v1/bridge/jobs/SO-1/cancel",
    "/api/v1/bridge/reorder-lists",
    "/api/v1/bridge/carts",
)


@pytest.mark.parametrize("path", RECEIVER_PATHS)
@pytest.mark.parametrize(
    ("raw", "code"),
    [
        # json recurses once per bracket: this many used to be a RecursionError (a 500) in every receiver.
        (b"[" * 50_000 + b"]" * 50_000, "too_deep"),
        (b'{"a": ' * 5_000 + b"1" + b"}" * 5_000, "too_deep"),
        (b'{"service_order_id": 1, "status": "SHIPPED", "milestone": {"note": NaN}}', "parse_error"),
        (b'{"service_order_id": Infinity, "status": "SHIPPED"}', "parse_error"),
    ],
)
def test_unreadable_json_is_400_in_every_receiver_and_logged(api_client, path, raw, code):
    """What the API's own parser refuses (nesting past ``MAX_JSON_DEPTH``, NaN and Infinity) every receiver refuses
    the same way, after verification, with the delivery logged as invalid."""
    import hashlib
    import hmac

    signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = api_client.post(path, data=raw, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 400, response.content[:200]
    assert response.json()["code"] == code
    delivery = InboundDelivery.objects.get()
    assert (delivery.result, delivery.status_code, delivery.verified) == ("invalid", 400, True)
    assert not ReceivedEvent.objects.exists()


def test_an_unknown_service_order_is_404_after_verification_and_nothing_is_queued(api_client):
    response = post_signed(
        api_client, "/api/bridge/jobs/1/status", helpers.fresh(service_order_id=99999, status="READY")
    )
    assert response.status_code == 404 and response.json()["code"] == "service_order_not_found"
    delivery = InboundDelivery.objects.get()
    assert (delivery.result, delivery.status_code, delivery.state, delivery.dedupe_key) == ("not_found", 404, "", None)
    assert delivery.detail.startswith("service_order_not_found")


def test_job_create_is_idempotent_by_the_order_id(api_client):
    world = helpers.maker_world()
    message = {
        "external_order_id": "555",
        "source": "store",
        "title": "3D printing: bracket.stl x 1 (PLA)",
        "description": "1 x bracket",
        "file_url": "https://store.example/media/bracket.stl",
        "requirements": {
            "material": "pla",
            "quality": "standard",
            "est_weight_g": 12,
            "est_time_min": 30,
            "capabilities": ["print_3d"],
        },
        "delivery": {"method": "ship", "address": helpers.ADDRESS},
        "priority": "normal",
    }
    first = post_signed(api_client, "/api/v1/bridge/jobs", helpers.fresh(**message))
    assert first.status_code == 200, first.json()
    job = ServiceJob.objects.get(external_order_id="555")
    assert job.makerspace == world["space"]
    assert first.json()["job_id"] == str(job.pk) and first.json()["routing"] == "published"
    assert first.json()["accept_url"] == f"http://testserver/api/v1/makerspace/jobs/{job.pk}/accept/"
    # Another delivery of the same order (a new event id, as a re-published order would have) finds the same job.
    second = post_signed(api_client, "/api/v1/bridge/jobs", helpers.fresh(**message))
    assert second.json()["job_id"] == str(job.pk) and ServiceJob.objects.count() == 1
    # An older sender without event_id/sent_at is deduplicated by the order id.
    legacy = post_signed(api_client, "/api/v1/bridge/jobs", message)
    assert legacy.status_code == 200 and legacy.json()["job_id"] == str(job.pk)


def test_job_create_for_no_capable_makerspace_is_409(api_client):
    message = helpers.fresh(external_order_id="9", title="Print", requirements={"capabilities": ["cnc"]})
    response = post_signed(api_client, "/api/v1/bridge/jobs", message)
    assert response.status_code == 409 and response.json()["code"] == "no_capable_makerspace"
    assert InboundDelivery.objects.get().result == "conflict" and not ReceivedEvent.objects.exists()


def test_an_older_sender_with_an_idempotency_key_is_deduplicated_by_it(post, dispatched):
    body = {"service_order_id": dispatched.pk, "status": "ACCEPTED"}
    first = post("/bridge/jobs/3/status", body, HTTP_IDEMPOTENCY_KEY="try-1")
    again = post("/bridge/jobs/3/status", body, HTTP_IDEMPOTENCY_KEY="try-1")
    assert first.json()["result"] == "queued" and again.json()["result"] == "duplicate"
    assert InboundDelivery.objects.get(result="queued").dedupe_key == "idempotency:job.status:try-1"


def test_a_client_address_that_is_no_ip_is_logged_without_one(api_client, dispatched):
    """Found by the schema fuzzer: a WSGI caller without REMOTE_ADDR must not turn the log row into a 500."""
    response = post_signed(api_client, "/api/bridge/jobs/1/status", status_body(dispatched, "READY"), REMOTE_ADDR="")
    assert response.status_code == 202
    assert InboundDelivery.objects.get().client_ip is None


def test_a_status_delivery_is_one_statement(api_client, django_assert_num_queries):
    """Verified, parsed, fresh, order checked and stored: ONE statement (a CTE that reads the order's status and
    inserts the inbox row unless its key exists), in autocommit in production. The apply comes later."""
    dispatched = ServiceOrderFactory(status=ServiceOrder.Status.DISPATCHED)
    for status in ("PUBLISHED", "ACCEPTED"):
        with django_assert_num_queries(1):
            response = post_signed(api_client, "/api/bridge/jobs/7/status", status_body(dispatched, status))
        assert response.status_code == 202 and response.json()["result"] == "queued"
    assert InboundDelivery.objects.filter(state="pending").count() == 2
    dispatched.refresh_from_db()
    assert dispatched.status == "dispatched"  # on_commit not run here: nothing applied yet


def test_a_receiver_answers_json_whatever_the_accept_header(api_client, dispatched):
    """Machine endpoints: no 406 and no HTML for a caller that asks for something else."""
    for accept in ("text/html", "application/xml", "*/*", "nonsense/;;;"):
        response = post_signed(
            api_client, "/api/bridge/jobs/1/status", status_body(dispatched, "READY"), HTTP_ACCEPT=accept
        )
        assert response.status_code == 202 and response["Content-Type"] == "application/json"
        refused = api_client.post(
            "/api/bridge/jobs/1/status",
            data=b"{",
            content_type="application/json",
            HTTP_X_SIGNATURE="sha256=00",
            HTTP_ACCEPT=accept,
        )
        assert refused.status_code == 403 and refused.json()["code"] == "invalid_signature"


def test_the_log_keeps_the_headers_that_matter_read_from_the_request(api_client, dispatched):
    response = post_signed(
        api_client,
        "/api/bridge/jobs/1/status",
        status_body(dispatched, "READY"),
        HTTP_USER_AGENT="cave/2.0",
        HTTP_X_REQUEST_ID="req-42",
        HTTP_IDEMPOTENCY_KEY="idem-1",
        HTTP_X_UNRELATED="not kept",
    )
    assert response.status_code == 202
    headers = InboundDelivery.objects.get().headers
    assert headers["user-agent"] == "cave/2.0" and headers["idempotency-key"] == "idem-1"
    assert headers["x-request-id"] == "req-42" and headers["content-type"] == "application/json"
    assert headers["x-signature"] == "<present>" and "x-unrelated" not in headers
