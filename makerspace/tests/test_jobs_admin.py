"""Service job admin: a scoped queue with status badges, the timeline inline, actions and the assignment form
through the job services."""

from __future__ import annotations

import pytest
from django.test import Client

from makerspace.models import ServiceJob
from makerspace.services import jobs as job_services
from makerspace.tests import factories as f
from makrx.auth.scoping import SYSTEM
from makrx.models import Notification

pytestmark = pytest.mark.django_db
URL = "/admin/makerspace/servicejob/"


def receive(space, order_id):
    job, _ = job_services.job_receive(
        actor=SYSTEM,
        source="store",
        external_order_id=order_id,
        title=f"Part {order_id}",
        requirements={"material": "pla", "capabilities": ["print_3d"]},
        delivery={"method": "ship"},
        makerspace_id=space.pk,
    )
    return job


@pytest.fixture
def setup(make_user):
    a, b = f.job_space(name="Alpha"), f.job_space(name="Beta")
    manager = make_user("job_manager", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=a, role="manager")
    client = Client()
    client.force_login(manager)
    return client, a, receive(a, "so-a1"), receive(a, "so-a2"), receive(b, "so-b1")


def test_list_is_scoped_with_badges_and_the_timeline(setup):
    client, space, first, second, other = setup

    page = client.get(URL).content.decode()

    assert "Part so-a1" in page and "Part so-a2" in page and "Part so-b1" not in page
    assert "border-radius" in page and "Received" in page  # the status badge
    assert "Part so-a1" in client.get(URL, {"status__exact": "received", "q": "so-a1"}).content.decode()
    detail = client.get(f"{URL}{first.pk}/change/")
    assert detail.status_code == 200 and "Received" in detail.content.decode()  # the timeline inline
    assert client.get(f"{URL}{other.pk}/change/").status_code in (302, 403, 404)


def test_the_provider_filter_lists_only_the_managed_spaces_providers(setup):
    client, space, first, second, other = setup
    mine = f.ServiceProviderFactory(makerspaces=[space], display_name="Local Maker")
    f.ServiceProviderFactory(makerspaces=[other.makerspace], display_name="Far Away Maker", verified_at=None)
    job_services.job_accept(job=first, actor=SYSTEM, provider=mine)

    page = client.get(URL).content.decode()
    filtered = client.get(URL, {"provider": mine.pk}).content.decode()

    assert "Local Maker" in page and "Far Away Maker" not in page
    assert "Part so-a1" in filtered and "Part so-a2" not in filtered


def test_actions_move_jobs_through_the_services(setup):
    client, space, first, second, other = setup

    client.post(URL, {"action": "accept", "_selected_action": [first.pk, second.pk, other.pk]})
    client.post(URL, {"action": "start", "_selected_action": [first.pk]})
    client.post(URL, {"action": "complete", "_selected_action": [first.pk]})
    asked = client.post(URL, {"action": "ship", "_selected_action": [first.pk]})
    client.post(URL, {"action": "ship", "_selected_action": [first.pk], "apply": "1", "tracking": "AWB5"})
    client.post(URL, {"action": "cancel", "_selected_action": [second.pk], "apply": "1", "reason": "Customer asked"})

    assert asked.status_code == 200 and b"tracking" in asked.content
    statuses = dict(ServiceJob.objects.values_list("external_order_id", "status"))
    assert statuses == {"so-a1": "shipped", "so-a2": "cancelled", "so-b1": "received"}
    first.refresh_from_db()
    assert first.tracking == "AWB5"
    assert list(first.events.values_list("to_status", flat=True)) == [
        "received", "accepted", "in_progress", "completed", "shipped",
    ]  # fmt: skip


def test_an_illegal_action_is_a_message_not_an_error(setup):
    client, space, first, second, other = setup

    response = client.post(URL, {"action": "ship", "_selected_action": [first.pk], "apply": "1"}, follow=True)

    assert response.status_code == 200 and "cannot become shipped" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "received"


def test_the_change_form_assigns_provider_and_machine_through_the_service(setup):
    client, space, first, second, other = setup
    provider = f.ServiceProviderFactory(makerspaces=[space])
    machine = space.equipment.get(equipment_type="3d_printer")

    response = client.post(f"{URL}{first.pk}/change/", {"provider": provider.pk, "machine": machine.pk, **_inline()})

    assert response.status_code == 302, response.content.decode()[:2000]
    first.refresh_from_db()
    assert (first.provider, first.machine, first.status) == (provider, machine, "received")
    assert first.events.last().note == "Assigned"
    assert Notification.objects.filter(user=provider.user, kind="job.assigned").count() == 1


def _inline() -> dict:
    return {
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
