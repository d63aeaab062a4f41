"""Scheduled tasks: a lost database connection asks for a retry (TransientError), a bug does not."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.db import InterfaceError, OperationalError

from makerspace import tasks
from makerspace.services import plans as plan_services
from makrx.errors import TransientError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_database_errors_become_transient(error):
    def down():
        raise error("server closed the connection unexpectedly")

    with pytest.raises(TransientError):
        tasks.run_retrying_database_errors(down)


def test_database_outage_makes_the_task_retry(monkeypatch):
    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(plan_services, "subscriptions_expire_due", down)
    # Eager runs propagate: the autoretry shows up as celery's Retry carrying the TransientError.
    with pytest.raises(Retry) as retried:
        tasks.expire_subscriptions_task.apply()
    assert isinstance(retried.value.exc, TransientError)


def test_a_bug_is_not_retried(monkeypatch):
    def broken(**kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(plan_services, "subscriptions_expire_due", broken)
    with pytest.raises(KeyError):
        tasks.expire_subscriptions_task.apply()


def test_tasks_run_their_services_as_the_system():
    assert tasks.expire_subscriptions_task.apply().get() == 0
    assert tasks.expire_member_skills_task.apply().get() == 0
    assert tasks.apply_maintenance_windows_task.apply().get() == 0
