"""/api/v1/notifications/ (own list, unread count, read markers, preferences), signed webhooks and the admin."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from werkzeug import Response

from makrx.models import Notification, NotificationTemplate, WebhookDelivery, WebhookEndpoint
from makrx.notifications import notify, register

pytestmark = pytest.mark.django_db

register("test.api", subject="About {{ what }}", text="Body {{ what }}", sample={"what": "x"})
register("test.api_low", subject="Low", text="Low body", priority="low")

URL = "/api/v1/notifications/"


def _notify_many(user, n, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return [notify(user, "test.api", {"what": i}, **kwargs) for i in range(n)]


def test_the_list_is_own_newest_first_with_the_unread_count(client_for, django_capture_on_commit_callbacks):
    client = client_for()
    other = client_for()
    mine = _notify_many(client.user, 3, django_capture_on_commit_callbacks)
    _notify_many(other.user, 2, django_capture_on_commit_callbacks)
    mine[0].read_at = mine[0].created_at
    mine[0].save()

    body = client.get(URL).json()
    unread = client.get(URL, {"unread": "true"}).json()
    read = client.get(URL, {"unread": "false"}).json()

    assert body["count"] == 3 and body["unread_count"] == 2
    assert [row["id"] for row in body["results"]] == [n.pk for n in reversed(mine)]
    assert body["results"][0]["subject"] == "About 2" and body["results"][0]["unread"] is True
    assert [row["id"] for row in unread["results"]] == [mine[2].pk, mine[1].pk]
    assert [row["id"] for row in read["results"]] == [mine[0].pk]


def test_a_bad_unread_filter_is_a_400(client_for):
    response = client_for().get(URL, {"unread": "maybe"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_read_marks_one_and_another_users_id_is_404(client_for, django_capture_on_commit_callbacks):
    client = client_for()
    stranger = client_for()
    [notification] = _notify_many(client.user, 1, django_capture_on_commit_callbacks)

    assert stranger.post(f"{URL}{notification.pk}/read/").status_code == 404
    first = client.post(f"{URL}{notification.pk}/read/")
    second = client.post(f"{URL}{notification.pk}/read/")

    assert first.status_code == 200 and first.json()["unread"] is False
    assert second.json()["read_at"] == first.json()["read_at"]
    assert client.get(f"{URL}{notification.pk}/read/").status_code == 405


def test_read_all_marks_only_own(client_for, django_capture_on_commit_callbacks):
    client = client_for()
    other = client_for()
    _notify_many(client.user, 3, django_capture_on_commit_callbacks)
    _notify_many(other.user, 1, django_capture_on_commit_callbacks)

    response = client.post(f"{URL}read-all/")

    assert response.json() == {"updated": 3, "unread_count": 0}
    assert Notification.objects.filter(user=other.user, read_at__isnull=True).count() == 1


def test_hidden_in_app_notifications_are_not_listed(client_for, django_capture_on_commit_callbacks):
    client = client_for()
    client.put(f"{URL}preferences/", {"preferences": [{"kind": "test.api", "in_app": False}]}, format="json")
    _notify_many(client.user, 1, django_capture_on_commit_callbacks)
    assert client.get(URL).json()["count"] == 0
    assert len(mail.outbox) == 1  # email stays on


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_query_count_does_not_grow_with_the_page(client_for, django_capture_on_commit_callbacks, page_size):
    client = client_for()
    _notify_many(client.user, 120, django_capture_on_commit_callbacks)
    client.get(URL)  # warm the user lookup paths
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"page_size": page_size})
    assert response.status_code == 200 and len(response.json()["results"]) == page_size
    # unread count, page count, page rows
    assert len(captured) <= 3, [q["sql"] for q in captured]


def test_preferences_get_and_put(client_for):
    client = client_for()
    initial = {row["kind"]: row for row in client.get(f"{URL}preferences/").json()["preferences"]}
    assert initial["test.api"] == {
        "kind": "test.api",
        "description": "",
        "priority": "normal",
        "email": True,
        "in_app": True,
        "digest": False,
    }

    response = client.put(
        f"{URL}preferences/",
        {"preferences": [{"kind": "test.api", "email": False}, {"kind": "test.api_low", "digest": True}]},
        format="json",
    )

    rows = {row["kind"]: row for row in response.json()["preferences"]}
    assert response.status_code == 200
    assert (rows["test.api"]["email"], rows["test.api"]["in_app"]) == (False, True)
    assert rows["test.api_low"]["digest"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"preferences": [{"kind": "no.such.kind", "email": False}]},
        {"preferences": [{"kind": "test.api", "digest": True}]},  # not a low-priority kind
        {"preferences": [{"kind": "test.api", "email": "sometimes"}]},
        {"preferences": "all"},
        {},
    ],
)
def test_bad_preferences_are_400_and_change_nothing(client_for, body):
    client = client_for()
    response = client.put(
        f"{URL}preferences/",
        {"preferences": [{"kind": "test.api", "email": False}, *body.get("preferences", [])]}
        if isinstance(body.get("preferences"), list)
        else body,
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not client.user.notification_preferences.exists()


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401


# --- webhooks ------------------------------------------------------------------------------------------------


def _signed(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_the_makerspace_webhook_gets_a_signed_post(httpserver, make_user, django_capture_on_commit_callbacks):
    seen = []

    def handler(request):
        seen.append((request.headers.get("X-MakrX-Signature"), request.get_data()))
        return Response("ok", status=200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    endpoint = WebhookEndpoint.objects.create(
        makerspace_id=5, name="Slack", url=httpserver.url_for("/hook"), secret="s3"
    )
    WebhookEndpoint.objects.create(
        makerspace_id=5, name="Other kinds", url=httpserver.url_for("/x"), secret="s", kinds=["test.api_low"]
    )
    WebhookEndpoint.objects.create(makerspace_id=6, name="Other space", url=httpserver.url_for("/y"), secret="s")
    user = make_user()

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user, "test.api", {"what": "laser"}, makerspace=5)

    assert len(seen) == 1
    signature, body = seen[0]
    assert hmac.compare_digest(signature, _signed("s3", body))
    payload = json.loads(body)
    assert payload["kind"] == "test.api" and payload["makerspace_id"] == 5
    assert payload["text"] == "About laser\nBody laser" and payload["context"] == {"what": "laser"}
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, notification=notification)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert WebhookDelivery.objects.count() == 1


def test_a_failing_webhook_is_retried_then_marked_failed(httpserver, make_user, django_capture_on_commit_callbacks):
    from makrx.tasks import send_notification_webhook_task

    httpserver.expect_request("/hook").respond_with_data("busy", status=503)
    WebhookEndpoint.objects.create(makerspace_id=5, name="Down", url=httpserver.url_for("/hook"), secret="s")
    with django_capture_on_commit_callbacks(execute=True):
        notify(make_user(), "test.api", {"what": "x"}, makerspace=5)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (
        "failed",
        send_notification_webhook_task.max_retries + 1,
        503,
    )


def test_a_4xx_webhook_answer_is_not_retried(httpserver, make_user, django_capture_on_commit_callbacks):
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    WebhookEndpoint.objects.create(makerspace_id=5, name="Gone", url=httpserver.url_for("/hook"), secret="s")
    with django_capture_on_commit_callbacks(execute=True):
        notify(make_user(), "test.api", {"what": "x"}, makerspace=5)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 1)


def test_a_webhook_delivery_runs_once_even_when_queued_twice(httpserver, make_user, django_capture_on_commit_callbacks):
    from makrx.tasks import send_notification_webhook_task

    httpserver.expect_request("/hook").respond_with_data("ok")
    WebhookEndpoint.objects.create(makerspace_id=5, name="Ok", url=httpserver.url_for("/hook"), secret="s")
    with django_capture_on_commit_callbacks(execute=True):
        notify(make_user(), "test.api", {"what": "x"}, makerspace=5)
    send_notification_webhook_task.apply(args=[WebhookDelivery.objects.get().pk])
    assert len(httpserver.log) == 1


# --- admin -----------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("root", roles=["super_admin"]))
    return client


def test_admin_template_preview_renders_the_sample(admin_client):
    template = NotificationTemplate.objects.create(kind="test.api", subject="Re: {{ what }}", text="Hello {{ what }}!")
    response = admin_client.get(f"/admin/makrx/notificationtemplate/{template.pk}/change/")
    assert response.status_code == 200
    assert "Re: x" in response.content.decode() and "Hello x!" in response.content.decode()


def test_admin_add_starts_from_the_kinds_defaults_and_refuses_a_broken_template(admin_client):
    page = admin_client.get("/admin/makrx/notificationtemplate/add/?kind=test.api").content.decode()
    assert "About {{ what }}" in page
    response = admin_client.post(
        "/admin/makrx/notificationtemplate/add/",
        {"kind": "test.api", "makerspace_id": "", "active": "on", "subject": "{% if %}", "text": "t", "html": ""},
    )
    assert response.status_code == 200 and not NotificationTemplate.objects.exists()
    response = admin_client.post(
        "/admin/makrx/notificationtemplate/add/",
        {"kind": "test.api", "makerspace_id": "3", "active": "on", "subject": "S {{ what }}", "text": "t", "html": ""},
    )
    assert response.status_code == 302
    assert NotificationTemplate.objects.get().makerspace_id == 3


def test_admin_lists_render(admin_client, make_user, django_capture_on_commit_callbacks):
    _notify_many(make_user(), 2, django_capture_on_commit_callbacks)
    WebhookEndpoint.objects.create(makerspace_id=5, name="Hook", url="https://example.test/h", secret="s")
    for name in (
        "notification",
        "notificationtemplate",
        "notificationpreference",
        "webhookendpoint",
        "webhookdelivery",
    ):
        assert admin_client.get(f"/admin/makrx/{name}/").status_code == 200, name


def test_admin_creates_a_webhook_endpoint_with_a_generated_secret(admin_client):
    response = admin_client.post(
        "/admin/makrx/webhookendpoint/add/",
        {
            "makerspace_id": "4",
            "name": "Discord",
            "url": "https://discord.example.test/hook",
            "secret": "",
            "kinds": ["test.api"],
            "active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = WebhookEndpoint.objects.get()
    assert len(endpoint.secret) >= 32 and endpoint.kinds == ["test.api"]


def test_a_makerspace_manager_cannot_add_a_platform_wide_template(client, make_user, monkeypatch):
    from makrx.auth import scoping

    manager = make_user("mgr", roles=["makerspace_admin"])
    monkeypatch.setattr(scoping, "managed_makerspace_ids", lambda user: {3})
    client.force_login(manager)
    response = client.post(
        "/admin/makrx/notificationtemplate/add/",
        {"kind": "test.api", "makerspace_id": "", "active": "on", "subject": "S", "text": "t", "html": ""},
    )
    assert response.status_code in (200, 403)
    assert not NotificationTemplate.objects.exists()
