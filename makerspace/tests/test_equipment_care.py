"""Machine ratings (only by members who used it; average on the machine) and preventive maintenance intervals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from makerspace.models import EquipmentRating, MaintenanceInterval, MaintenanceTicket
from makerspace.services import intervals as interval_services
from makerspace.services import maintenance as maintenance_services
from makerspace.tasks import open_preventive_maintenance_task
from makerspace.tests import factories as f
from makerspace.tests.people_helpers import MS, count_queries, staff_client
from makrx.tests.races import run_concurrently

pytestmark = pytest.mark.django_db


def used(member, equipment, hours=1, *, ended_hours_ago=1):
    end = timezone.now() - timedelta(hours=ended_hours_ago)
    return f.UsageSessionFactory(
        equipment=equipment,
        member=member,
        started_at=end - timedelta(hours=hours),
        ended_at=end,
        duration_minutes=60 * hours,
    )


def test_members_who_used_the_machine_rate_it_once_and_edit(client_for):
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    member = f.MemberFactory(makerspace=space)
    client = client_for(user=member.user)
    url = f"{MS}/equipment/{machine.pk}/ratings/"

    refused = client.post(url, {"score": 4}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "machine_not_used"
    f.UsageSessionFactory(equipment=machine, member=member)  # still running: not yet "used"
    assert client.post(url, {"score": 4}, format="json").status_code == 409

    used(member, machine)
    first = client.post(url, {"score": 4, "comment": "Good"}, format="json")
    assert first.status_code == 201, first.json()
    edited = client.post(url, {"score": 2, "comment": "Nozzle clogs"}, format="json")
    assert edited.status_code == 200 and edited.json()["id"] == first.json()["id"]
    assert EquipmentRating.objects.get().score == 2


def test_a_completed_reservation_counts_as_use(client_for):
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    member = f.MemberFactory(makerspace=space)
    start = timezone.now() - timedelta(days=2)
    f.ReservationFactory(
        equipment=machine, member=member, starts_at=start, ends_at=start + timedelta(hours=1), status="completed"
    )
    response = client_for(user=member.user).post(f"{MS}/equipment/{machine.pk}/ratings/", {"score": 5}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("body", [{"score": 0}, {"score": 6}, {"score": "x"}, {}, {"score": 3, "comment": "x" * 2001}])
def test_bad_ratings_are_400(client_for, body):
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    member = f.MemberFactory(makerspace=space)
    used(member, machine)
    response = client_for(user=member.user).post(f"{MS}/equipment/{machine.pk}/ratings/", body, format="json")
    assert response.status_code == 400
    assert EquipmentRating.objects.count() == 0


def test_outsiders_neither_rate_nor_read(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=a)
    outsider = client_for(user=f.MemberFactory(makerspace=b).user)
    url = f"{MS}/equipment/{machine.pk}/ratings/"
    assert outsider.get(url).status_code == 403
    response = outsider.post(url, {"score": 5}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_makerspace_member"


def test_average_is_on_the_machine_without_a_query_per_row(client_for):
    space = f.MakerspaceFactory()
    machines = f.EquipmentFactory.create_batch(12, makerspace=space)
    for index, machine in enumerate(machines):
        for score in (index % 5 + 1, 5):
            f.EquipmentRatingFactory(equipment=machine, score=score)
    viewer = client_for(user=f.MemberFactory(makerspace=space).user)
    one, _ = count_queries(viewer, f"{MS}/equipment/", {"page_size": 1, "makerspace": space.pk})
    hundred, body = count_queries(viewer, f"{MS}/equipment/", {"page_size": 100, "makerspace": space.pk})
    assert hundred == one
    rows = {row["id"]: row for row in body["results"]}
    assert rows[machines[0].pk]["rating_average"] == 3.0 and rows[machines[0].pk]["rating_count"] == 2
    assert rows[machines[3].pk]["rating_average"] == 4.5
    detail = viewer.get(f"{MS}/equipment/{machines[3].pk}/").json()
    assert (detail["rating_average"], detail["rating_count"]) == (4.5, 2)
    ratings = count_queries(viewer, f"{MS}/equipment/{machines[3].pk}/ratings/", {"page_size": 100})[1]
    assert ratings["count"] == 2


def test_rating_list_query_count_does_not_grow(client_for):
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    f.EquipmentRatingFactory.create_batch(30, equipment=machine)
    viewer = client_for(user=f.MemberFactory(makerspace=space).user)
    url = f"{MS}/equipment/{machine.pk}/ratings/"
    one, _ = count_queries(viewer, url, {"page_size": 1})
    hundred, body = count_queries(viewer, url, {"page_size": 100})
    assert len(body["results"]) == 30 and hundred == one


# --- preventive maintenance -------------------------------------------------------------------------------------


def test_days_interval_opens_one_ticket_per_due_date_however_often_the_task_runs(client_for):
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    staff = staff_client(client_for, space, role="staff")
    start = timezone.now() - timedelta(days=31)
    response = staff.post(
        f"{MS}/maintenance/intervals/",
        {"equipment": machine.pk, "title": "Lubricate rails", "every_days": 30, "starts_at": start.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()

    assert open_preventive_maintenance_task.delay().get() == 1
    for _ in range(3):
        assert open_preventive_maintenance_task.delay().get() == 0
    ticket = MaintenanceTicket.objects.get()
    assert ticket.due_at == start + timedelta(days=30) and ticket.interval_id == response.json()["id"]
    assert ticket.title == "Preventive maintenance: Lubricate rails"

    maintenance_services.ticket_resolve(ticket=ticket, actor=staff.user, resolution="Done")
    assert interval_services.preventive_tickets_open_due() == 0  # next one is 30 days after the service
    later = timezone.now() + timedelta(days=31)
    assert interval_services.preventive_tickets_open_due(now=later) == 1
    assert interval_services.preventive_tickets_open_due(now=later) == 0
    assert MaintenanceTicket.objects.count() == 2


def test_hours_interval_counts_use_since_the_last_service():
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    member = f.MemberFactory(makerspace=space)
    MaintenanceInterval.objects.create(
        equipment=machine, title="Replace belt", every_hours=5, starts_at=timezone.now() - timedelta(days=5)
    )
    used(member, machine, hours=3, ended_hours_ago=48)
    assert interval_services.preventive_tickets_open_due() == 0
    crossing = used(member, machine, hours=3, ended_hours_ago=24)
    used(member, machine, hours=3, ended_hours_ago=2)
    assert interval_services.preventive_tickets_open_due() == 1
    assert interval_services.preventive_tickets_open_due() == 0
    assert MaintenanceTicket.objects.get().due_at == crossing.ended_at


def test_interval_input_is_checked(client_for):
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    staff = staff_client(client_for, space, role="staff")
    url = f"{MS}/maintenance/intervals/"
    for body in (
        {"equipment": machine.pk, "title": "x"},
        {"equipment": machine.pk, "title": "x", "every_days": 3, "every_hours": 3},
        {"equipment": machine.pk, "title": "x", "every_days": 0},
        {"equipment": machine.pk, "title": "", "every_days": 3},
        {"equipment": 99999999, "title": "x", "every_days": 3},
    ):
        assert staff.post(url, body, format="json").status_code == 400, body
    assert MaintenanceInterval.objects.count() == 0


def test_intervals_are_staff_only_and_tenant_isolated(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=a)
    interval = MaintenanceInterval.objects.create(
        equipment=machine, title="Oil", every_days=7, starts_at=timezone.now()
    )
    staff_b = staff_client(client_for, b, role="staff")
    member_a = client_for(user=f.MemberFactory(makerspace=a).user)
    for client in (staff_b, member_a):
        assert client.get(f"{MS}/maintenance/intervals/").json()["count"] == 0
        assert (
            client.patch(f"{MS}/maintenance/intervals/{interval.pk}/", {"title": "y"}, format="json").status_code == 404
        )
        response = client.post(
            f"{MS}/maintenance/intervals/", {"equipment": machine.pk, "title": "z", "every_days": 1}, format="json"
        )
        assert response.status_code == 403
    staff_a = staff_client(client_for, a, role="staff")
    for n in range(15):
        MaintenanceInterval.objects.create(equipment=machine, title=f"Job {n}", every_days=7, starts_at=timezone.now())
    one, _ = count_queries(staff_a, f"{MS}/maintenance/intervals/", {"page_size": 1})
    hundred, body = count_queries(staff_a, f"{MS}/maintenance/intervals/", {"page_size": 100})
    assert body["count"] == 16 and hundred == one


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_open_one_ticket():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    machine = f.EquipmentFactory()
    MaintenanceInterval.objects.create(
        equipment=machine, title="Calibrate", every_days=1, starts_at=timezone.now() - timedelta(days=2)
    )
    outcomes = run_concurrently(lambda _: interval_services.preventive_tickets_open_due(), 4, reraise=True)
    assert sorted(outcomes) == [0, 0, 0, 1]
    assert MaintenanceTicket.objects.count() == 1
