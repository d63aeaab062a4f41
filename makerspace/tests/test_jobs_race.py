"""Service jobs under concurrency, on separate PostgreSQL connections: one job per order, one accept per job."""

from __future__ import annotations

import pytest
from django.db import connection

from makerspace.models import Member, ServiceJob, ServiceJobEvent
from makerspace.services import jobs as job_services
from makerspace.tests.factories import MemberFactory, ServiceProviderFactory, job_space
from makrx import events
from makrx.auth.scoping import SYSTEM
from makrx.errors import InvalidTransition
from makrx.tests.races import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = {
    "source": "store",
    "external_order_id": "so-race",
    "title": "Bracket",
    "requirements": {"material": "pla", "est_weight_g": 10, "capabilities": ["print_3d"]},
    "delivery": {"method": "ship"},
    "priority": "rush",
}


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_ten_identical_concurrent_receives_make_one_job_and_one_event():
    space = job_space()
    ServiceProviderFactory(makerspaces=[space])
    announced = []

    def handler(**payload):
        announced.append(payload["job"].pk)

    events.subscribe(job_services.STATUS_CHANGED, handler)
    try:
        outcomes = run_concurrently(lambda index: job_services.job_receive(actor=SYSTEM, **MESSAGE), 10, reraise=True)
    finally:
        events.unsubscribe(job_services.STATUS_CHANGED, handler)

    job = ServiceJob.objects.get()
    assert {found.pk for found, _ in outcomes} == {job.pk}
    assert sum(created for _, created in outcomes) == 1
    assert ServiceJobEvent.objects.filter(job=job).count() == 1
    assert announced == [job.pk]  # only the committed creation was announced


def test_concurrent_accepts_let_exactly_one_provider_win():
    space = job_space()
    providers = [ServiceProviderFactory(makerspaces=[space]) for _ in range(5)]
    MemberFactory(makerspace=space, role=Member.Role.STAFF)
    job, _ = job_services.job_receive(actor=SYSTEM, **MESSAGE)

    outcomes = run_concurrently(lambda index: job_services.job_accept(job=job, actor=providers[index].user), 5)

    winners = [outcome for outcome in outcomes if isinstance(outcome, ServiceJob)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, InvalidTransition)]
    assert len(winners) == 1 and len(refused) == 4, outcomes
    job.refresh_from_db()
    assert job.status == "accepted" and job.provider_id == winners[0].provider_id
    assert list(job.events.values_list("to_status", flat=True)) == ["received", "accepted"]
