"""notify(): registered kinds render for the user and are emailed only after the transaction commits."""

import pytest
from django.core import mail
from django.db import transaction

from makrx.models import User
from makrx.notifications import kind_get, notify, register

pytestmark = pytest.mark.django_db

register("test.hello", subject="Hi {{ user_name }}", text="Your {{ thing }} is ready.")


def test_notify_sends_after_commit(django_capture_on_commit_callbacks):
    user = User.objects.create(username="ann", email="ann@example.com", first_name="Ann")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "test.hello", {"thing": "print"})
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hi Ann"
    assert mail.outbox[0].body == "Your print is ready."
    assert mail.outbox[0].to == ["ann@example.com"]


def test_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    user = User.objects.create(username="bob", email="bob@example.com")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(user, "test.hello", {"thing": "cut"})
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []


def test_unknown_kind_fails_at_the_call():
    user = User.objects.create(username="cy", email="cy@example.com")
    with pytest.raises(LookupError):
        notify(user, "test.no_such_kind", {})


def test_registering_a_kind_twice_differently_is_refused():
    with pytest.raises(ValueError):
        register("test.hello", subject="other", text="other")
    assert kind_get("test.hello").subject == "Hi {{ user_name }}"


def test_makerspace_kinds_are_registered():
    assert kind_get("skill.expired").priority == "normal"


# --- the registry: every kind renders with its sample context -------------------------------------------------

from makrx.models import Notification, NotificationPreference, NotificationTemplate  # noqa: E402
from makrx.notifications import kind_list  # noqa: E402
from makrx.notifications.services import notification_preview, sample_context, templates_render  # noqa: E402

register(
    "test.low",
    subject="Low {{ n }}",
    text="Low body {{ n }}",
    priority="low",
    sample={"n": 1},
)
register(
    "test.html",
    subject="Html",
    text="Plain {{ name }}",
    html="<p>{{ name }}</p>",
    sample={"name": "<b>Bo</b>"},
)


@pytest.mark.parametrize("kind", kind_list(), ids=lambda kind: kind.key)
def test_every_registered_kind_renders_with_its_sample(kind):
    subject, text, html = templates_render(
        subject=kind.subject, text=kind.text, html=kind.html, context=sample_context(kind)
    )
    assert subject.strip()
    assert text.strip()
    for name in kind.sample:
        # Every declared sample variable is used somewhere, so a renamed variable shows up here.
        assert f"{{{{ {name}" in kind.subject + kind.text + kind.html or f"{{{{{name}" in kind.subject + kind.text


def test_preview_renders_a_kind_with_its_sample():
    preview = notification_preview(
        kind="test.html", subject="S {{ name }}", text="T {{ name }}", html="<i>{{ name }}</i>"
    )
    assert preview == {"subject": "S <b>Bo</b>", "text": "T <b>Bo</b>", "html": "<i>&lt;b&gt;Bo&lt;/b&gt;</i>"}


def test_a_makerspace_override_wins_over_the_platform_one_and_the_default(django_capture_on_commit_callbacks):
    user = User.objects.create(username="dee", email="dee@example.com")
    NotificationTemplate.objects.create(kind="test.hello", subject="Platform {{ thing }}", text="P")
    NotificationTemplate.objects.create(kind="test.hello", makerspace_id=7, subject="Space {{ thing }}", text="S")
    NotificationTemplate.objects.create(kind="test.hello", makerspace_id=8, subject="Off", text="x", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "test.hello", {"thing": "a"}, makerspace=7)
        notify(user, "test.hello", {"thing": "b"}, makerspace=8)
        notify(user, "test.hello", {"thing": "c"})
    assert [m.subject for m in mail.outbox] == ["Space a", "Platform b", "Platform c"]


def test_a_broken_override_falls_back_to_the_default(django_capture_on_commit_callbacks):
    user = User.objects.create(username="eve", email="eve@example.com", first_name="Eve")
    NotificationTemplate.objects.create(kind="test.hello", subject="{% if %}", text="broken")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "test.hello", {"thing": "mill"})
    assert mail.outbox[0].subject == "Hi Eve"


def test_html_body_is_attached_and_escaped(django_capture_on_commit_callbacks):
    user = User.objects.create(username="fay", email="fay@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "test.html", {"name": "<script>"})
    message = mail.outbox[0]
    assert message.body == "Plain <script>"
    assert message.alternatives[0][0] == "<p>&lt;script&gt;</p>"


# --- the email channel: once per event, retries, preferences, digest ------------------------------------------


def test_the_task_sends_once_even_when_it_runs_twice(django_capture_on_commit_callbacks):
    from makrx.tasks import send_notification_task

    user = User.objects.create(username="gus", email="gus@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user, "test.hello", {"thing": "lathe"})
    assert len(mail.outbox) == 1
    send_notification_task.apply(args=[notification.pk])
    send_notification_task.apply(args=[notification.pk])
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_state == Notification.EmailState.SENT
    assert notification.email_attempts == 1
    assert notification.email_sent_at is not None


def test_nothing_is_recorded_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    user = User.objects.create(username="hal", email="hal@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(user, "test.hello", {"thing": "cnc"})
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert Notification.objects.filter(user=user).count() == 0
    assert mail.outbox == []


class FlakySMTPBackend:
    """An email backend whose server drops the connection for the first ``failures`` sends (then delivers)."""

    failures = 0
    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        FlakySMTPBackend.calls += 1
        if FlakySMTPBackend.calls <= FlakySMTPBackend.failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(messages)
        return len(messages)


class RefusingSMTPBackend(FlakySMTPBackend):
    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})


FLAKY = "makrx.tests.test_notifications.FlakySMTPBackend"


def test_transient_smtp_errors_are_retried_until_sent(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = FLAKY
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 2, 0
    user = User.objects.create(username="ida", email="ida@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user, "test.hello", {"thing": "saw"})
    assert FlakySMTPBackend.calls == 3
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_state == Notification.EmailState.SENT


def test_the_email_fails_after_the_last_retry(settings, django_capture_on_commit_callbacks):
    from makrx.tasks import send_notification_task

    settings.EMAIL_BACKEND = FLAKY
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 100, 0
    user = User.objects.create(username="jo", email="jo@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user, "test.hello", {"thing": "saw"})
    assert FlakySMTPBackend.calls == send_notification_task.max_retries + 1
    notification.refresh_from_db()
    assert notification.email_state == Notification.EmailState.FAILED
    assert "SMTPServerDisconnected" in notification.email_error
    assert mail.outbox == []


def test_a_permanent_refusal_is_not_retried(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "makrx.tests.test_notifications.RefusingSMTPBackend"
    user = User.objects.create(username="kai", email="kai@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user, "test.hello", {"thing": "saw"})
    notification.refresh_from_db()
    assert notification.email_state == Notification.EmailState.FAILED
    assert notification.email_attempts == 1


def test_preferences_are_honoured_per_channel(django_capture_on_commit_callbacks):
    user = User.objects.create(username="lu", email="lu@example.com")
    NotificationPreference.objects.create(user=user, kind="test.hello", channel="email", enabled=False)
    NotificationPreference.objects.create(user=user, kind="test.html", channel="in_app", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        quiet = notify(user, "test.hello", {"thing": "a"})
        loud = notify(user, "test.html", {"name": "b"})
    assert [m.subject for m in mail.outbox] == ["Html"]
    quiet.refresh_from_db()
    loud.refresh_from_db()
    assert (quiet.email_state, quiet.in_app) == (Notification.EmailState.SKIPPED, True)
    assert (loud.email_state, loud.in_app) == (Notification.EmailState.SENT, False)


def test_a_user_without_an_address_gets_the_in_app_notification_only(django_capture_on_commit_callbacks):
    user = User.objects.create(username="mo", email="")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user, "test.hello", {"thing": "a"})
    assert mail.outbox == []
    assert notification.email_state == Notification.EmailState.SKIPPED
    assert notification.in_app


def test_low_priority_kinds_send_at_once_by_default(django_capture_on_commit_callbacks):
    user = User.objects.create(username="ned", email="ned@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "test.low", {"n": 1})
    assert [m.subject for m in mail.outbox] == ["Low 1"]


def test_the_digest_groups_low_priority_notifications_per_user(django_capture_on_commit_callbacks):
    from makrx.tasks import send_notification_digest_task

    ann = User.objects.create(username="oa", email="oa@example.com")
    bob = User.objects.create(username="ob", email="ob@example.com")
    for user in (ann, bob):
        NotificationPreference.objects.create(user=user, kind="test.low", channel="digest", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2, 3):
            notify(ann, "test.low", {"n": n})
        notify(bob, "test.low", {"n": 9})
        notify(ann, "test.hello", {"thing": "now"})  # normal priority: never waits
    assert [m.subject for m in mail.outbox] == ["Hi oa"]
    mail.outbox.clear()

    result = send_notification_digest_task.apply().get()
    again = send_notification_digest_task.apply().get()

    assert result == {"users": 2, "notifications": 4, "deferred": 0}
    assert again == {"users": 0, "notifications": 0, "deferred": 0}
    by_to = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2
    assert by_to["oa@example.com"].subject == "Your MakrX digest: 3 updates"
    assert [line for line in by_to["oa@example.com"].body.splitlines() if line.startswith("Low body")] == [
        "Low body 1",
        "Low body 2",
        "Low body 3",
    ]
    assert by_to["ob@example.com"].subject == "Your MakrX digest: 1 update"
    assert not Notification.objects.filter(email_state=Notification.EmailState.DIGEST).exists()


def test_operators_can_make_the_digest_the_default_for_low_kinds(settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_DIGEST_DEFAULT = True
    user = User.objects.create(username="pia", email="pia@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        low = notify(user, "test.low", {"n": 1})
        normal = notify(user, "test.hello", {"thing": "x"})
    assert low.email_state == Notification.EmailState.DIGEST
    assert [m.subject for m in mail.outbox] == [normal.subject]


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_of_the_task_send_once():
    from makrx.tasks import send_notification_task
    from makrx.tests.races import run_concurrently

    user = User.objects.create(username="quinn", email="quinn@example.com")
    notification = Notification.objects.create(
        user=user, kind="test.hello", subject="Once", body="b", email_to=user.email
    )

    outcomes = run_concurrently(
        lambda _: send_notification_task.apply(args=[notification.pk], throw=True).result, 4, reraise=True
    )

    assert sorted(outcomes) == [False, False, False, True]
    assert len(mail.outbox) == 1


def test_a_context_with_non_json_values_is_stored_as_text(django_capture_on_commit_callbacks):
    import datetime as dt
    from decimal import Decimal

    user = User.objects.create(username="rex", email="rex@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user, "test.hello", {"thing": user, "price": Decimal("1.50"), "on": dt.date(2026, 1, 2)})
    notification.refresh_from_db()
    assert notification.context == {"thing": "rex", "price": "1.50", "on": "2026-01-02"}
    assert mail.outbox[0].body == "Your rex is ready."


def test_the_sweep_requeues_only_what_is_pending_for_over_two_hours():
    import datetime as dt

    from django.utils import timezone

    from makrx.tasks import send_notification_sweep_task

    user = User.objects.create(username="sam", email="sam@example.com")
    old = timezone.now() - dt.timedelta(hours=3)
    lost = Notification.objects.create(
        user=user, kind="test.hello", subject="Lost", email_to=user.email, created_at=old
    )
    Notification.objects.create(user=user, kind="test.hello", subject="Fresh", email_to=user.email)
    Notification.objects.create(
        user=user, kind="test.hello", subject="Done", email_to=user.email, created_at=old, email_state="sent"
    )

    assert send_notification_sweep_task.apply().get() == {"emails": 1, "webhooks": 0}
    assert send_notification_sweep_task.apply().get() == {"emails": 0, "webhooks": 0}

    assert [m.subject for m in mail.outbox] == ["Lost"]
    lost.refresh_from_db()
    assert lost.email_state == Notification.EmailState.SENT
