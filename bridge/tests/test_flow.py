"""One deployment end to end: quote → service order → checkout → signed payment webhook → outbox → job in the
makerspace → accept, start, complete, ship → the store order follows → the customer is told."""

from __future__ import annotations

import pytest
from django.core import mail

from bridge.models import InboundDelivery, OutboxMessage
from bridge.tests import helpers
from makerspace.models import ServiceJob
from makrx.models import Notification
from store.models import ServiceOrder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    helpers.configure(settings, tmp_path)


def test_a_paid_service_order_becomes_a_job_and_every_status_reaches_the_customer(
    client_for, api_client, django_capture_on_commit_callbacks
):
    world = helpers.maker_world()
    customer = client_for(username="asha", email="asha@example.test")
    created = helpers.order_service(customer, world["material"])
    assert OutboxMessage.objects.count() == 0  # nothing leaves the store before payment

    with django_capture_on_commit_callbacks(execute=True):
        assert helpers.pay(customer, api_client, created["order"]["number"])["result"] == "processed"

    # The payment published the order; its job message went out through the outbox and became a job.
    job = ServiceJob.objects.get(external_order_id=str(created["id"]))
    assert job.makerspace == world["space"] and job.status == "received"
    assert job.quantity == 2 and job.material == "pla" and job.customer_email == "asha@example.test"
    create = OutboxMessage.objects.get(kind="job.create")
    assert create.status == "sent" and create.attempts == 1 and create.response["job_id"] == str(job.pk)
    assert create.response["routing"] == "published"
    service_order = ServiceOrder.objects.get(pk=created["id"])
    # The job's "received" came back as PUBLISHED; the job id is remembered on the order.
    assert service_order.status == "pending_assignment" and service_order.job_ref == str(job.pk)

    # The provider works the job through the makerspace API.
    provider = client_for(world["provider"].user)
    steps = [
        ("accept", {}, "assigned_to_provider"),
        ("start", {}, "in_production"),
        ("complete", {}, "ready_for_shipping"),
        ("ship", {"tracking": "DTDC123"}, "shipped"),
    ]
    for action, body, expected in steps:
        with django_capture_on_commit_callbacks(execute=True):
            response = provider.post(f"/api/v1/makerspace/jobs/{job.pk}/{action}/", body, format="json")
        assert response.status_code == 200, response.json()
        service_order.refresh_from_db()
        assert service_order.status == expected
    job.refresh_from_db()

    statuses = list(
        OutboxMessage.objects.filter(kind="job.status").order_by("id").values_list("payload__status", "status")
    )
    assert statuses == [(s, "sent") for s in ("PUBLISHED", "ACCEPTED", "PRINTING", "READY", "SHIPPED")]
    timeline = list(service_order.events.values_list("kind", "to_status"))
    assert timeline[-5:] == [
        ("job_status", "pending_assignment"),
        ("job_status", "assigned_to_provider"),
        ("job_status", "in_production"),
        ("job_status", "ready_for_shipping"),
        ("job_status", "shipped"),
    ]
    assert service_order.events.last().note == "DTDC123"
    # Every applied status told the customer: in the app and by email.
    notes = Notification.objects.filter(user=customer.user, kind="service_order.status_changed")
    assert notes.count() == 5
    sent = [m for m in mail.outbox if m.to == ["asha@example.test"] and "SO-" in m.subject]
    assert [m.subject.split(": ", 1)[1] for m in sent] == [
        "Received by a makerspace",
        "Accepted by a provider",
        "In production",
        "Ready for shipping",
        "Shipped",
    ]
    # Completion drew the material from the makerspace's inventory.
    world["pla_item"].refresh_from_db()
    assert 5000 - world["pla_item"].quantity == pytest.approx(2 * job.requirements["est_weight_g"], abs=0.01)
    # Every inbound delivery was logged, in process: the job applied at once, each status queued (202) and
    # applied by the inbox task right after its intake committed.
    rows = InboundDelivery.objects.order_by("id").values_list(
        "endpoint", "result", "state", "apply_result", "transport"
    )
    assert (
        list(rows)
        == [("job.create", "applied", "", "", "in_process")]
        + [("job.status", "queued", "done", "applied", "in_process")] * 5
    )


def test_a_rolled_back_publish_writes_no_message(client_for, api_client, django_capture_on_commit_callbacks):
    """The outbox row lives in the causing transaction: when the payment's transaction fails, nothing is sent."""
    from django.db import transaction

    from store.services import SYSTEM
    from store.services.orders import order_mark_paid

    world = helpers.maker_world()
    customer = client_for()
    created = helpers.order_service(customer, world["material"])
    service_order = ServiceOrder.objects.get(pk=created["id"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            order_mark_paid(order=service_order.order, actor=SYSTEM)
            assert OutboxMessage.objects.count() == 1  # written with the change...
            raise RuntimeError("the causing transaction fails")
    assert OutboxMessage.objects.count() == 0  # ...and gone with it
    assert callbacks == [] and not ServiceJob.objects.exists()
    service_order.refresh_from_db()
    assert service_order.status == "payment_pending"


def test_auto_publish_can_be_turned_off(settings, client_for, api_client, django_capture_on_commit_callbacks):
    settings.STORE_SERVICE_ORDER_AUTO_PUBLISH = False
    world = helpers.maker_world()
    customer = client_for()
    created = helpers.order_service(customer, world["material"])
    with django_capture_on_commit_callbacks(execute=True):
        helpers.pay(customer, api_client, created["order"]["number"])
    assert ServiceOrder.objects.get(pk=created["id"]).status == "paid"
    assert not OutboxMessage.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert customer.post(f"/api/v1/store/service-orders/{created['id']}/publish/").status_code == 200
    assert ServiceJob.objects.filter(external_order_id=str(created["id"])).exists()
