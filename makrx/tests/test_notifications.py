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
