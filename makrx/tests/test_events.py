import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from makrx import events

pytestmark = pytest.mark.django_db


def test_handlers_run_in_the_callers_transaction_and_roll_back_with_it():
    User = get_user_model()

    def handler(*, username):
        User.objects.create(username=username)

    events.subscribe("test.created", handler)
    events.subscribe("test.created", handler)  # twice is once
    try:
        assert events.subscribers("test.created") == [handler]
        with pytest.raises(RuntimeError), transaction.atomic():
            events.emit("test.created", username="ghost")
            raise RuntimeError("the causing change fails")
        assert not User.objects.filter(username="ghost").exists()
        events.emit("test.created", username="kept")
        assert User.objects.filter(username="kept").exists()
    finally:
        events.unsubscribe("test.created", handler)
    events.emit("test.created", username="nobody")  # no subscriber: nothing happens
    assert not User.objects.filter(username="nobody").exists()


def test_a_failing_handler_propagates():
    def boom(**payload):
        raise ValueError("no")

    events.subscribe("test.boom", boom)
    try:
        with pytest.raises(ValueError):
            events.emit("test.boom", x=1)
    finally:
        events.unsubscribe("test.boom", boom)
