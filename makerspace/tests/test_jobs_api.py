"""Service jobs through the API: who sees which jobs, the actions, error codes, methods and the list's query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from makerspace.models import Member, ServiceJob, StockMovement
from makerspace.services import jobs as job_services
from makerspace.tests.factories import InventoryItemFactory, MemberFactory, ServiceProviderFactory, job_space
from makrx.auth.scoping import SYSTEM

pytestmark = pytest.mark.django_db
URL = "/api/v1/makerspace/jobs/"


def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user=user)
    return api


def receive(space, external_order_id, **overrides):
    fields = {
        "actor": SYSTEM,
        "source": "store",
        "external_order_id": external_order_id,
        "title": f"Part {external_order_id}",
        "requirements": {"material": "pla", "est_weight_g": 20, "capabilities": ["print_3d"]},
        "delivery": {"method": "ship"},
        "priority": "normal",
        "makerspace_id": space.pk,
        "customer": {"name": "Asha Rao", "email": "asha@example.test"},
    }
    fields.update(overrides)
    return job_services.job_receive(**fields)[0]


@pytest.fixture
def world():
    space, other = job_space(name="A"), job_space(name="B")
    staff = MemberFactory(makerspace=space, role=Member.Role.STAFF).user
    provider = ServiceProviderFactory(makerspaces=[space])
    colleague = ServiceProviderFactory(makerspaces=[space])
    jobs = {
        "open": receive(space, "so-open"),
        "mine": receive(space, "so-mine", priority="rush"),
        "theirs": receive(space, "so-theirs"),
        "other_space": receive(other, "so-b"),
    }
    job_services.job_accept(job=jobs["mine"], actor=staff, provider=provider)
    job_services.job_accept(job=jobs["theirs"], actor=staff, provider=colleague)
    return {"space": space, "other": other, "staff": staff, "provider": provider, "jobs": jobs}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_staff_see_their_spaces_jobs_and_providers_theirs_and_open_ones(world):
    jobs = world["jobs"]
    space_jobs = {jobs[key].pk for key in ("open", "mine", "theirs")}

    assert ids(client(world["staff"]).get(URL)) == space_jobs
    assert ids(client(world["provider"].user).get(URL)) == {jobs["open"].pk, jobs["mine"].pk}
    assert ids(client(MemberFactory(makerspace=world["space"]).user).get(URL)) == set()
    assert ids(client(MemberFactory(makerspace=world["other"], role="manager").user).get(URL)) == {
        jobs["other_space"].pk
    }


def test_filters_search_and_ordering(world):
    api, jobs = client(world["staff"]), world["jobs"]

    assert ids(api.get(URL, {"status": "accepted"})) == {jobs["mine"].pk, jobs["theirs"].pk}
    assert ids(api.get(URL, {"priority": "rush"})) == {jobs["mine"].pk}
    assert ids(api.get(URL, {"provider": world["provider"].pk})) == {jobs["mine"].pk}
    assert ids(api.get(URL, {"search": "so-theirs"})) == {jobs["theirs"].pk}
    assert ids(api.get(URL, {"makerspace": world["other"].pk})) == set()
    ordered = api.get(URL, {"ordering": "received_at"}).json()["results"]
    assert [row["id"] for row in ordered] == sorted(row["id"] for row in ordered)
    assert api.get(URL, {"status": "lost"}).status_code == 400


def test_detail_has_the_timeline_and_the_customer(world):
    job = world["jobs"]["mine"]

    body = client(world["provider"].user).get(f"{URL}{job.pk}/").json()

    assert [(e["from_status"], e["to_status"]) for e in body["events"]] == [("", "received"), ("received", "accepted")]
    assert body["events"][1]["actor"]["id"] == world["staff"].pk
    assert body["customer"] == {"name": "Asha Rao", "email": "asha@example.test"}
    assert body["provider"]["id"] == world["provider"].pk and body["priority"] == "rush"


def test_other_spaces_and_other_providers_jobs_are_not_found(world):
    jobs = world["jobs"]
    provider = client(world["provider"].user)

    assert client(world["staff"]).get(f"{URL}{jobs['other_space'].pk}/").status_code == 404
    assert client(world["staff"]).post(f"{URL}{jobs['other_space'].pk}/accept/").status_code == 404
    assert provider.get(f"{URL}{jobs['theirs'].pk}/").status_code == 404
    assert provider.post(f"{URL}{jobs['theirs'].pk}/start/").status_code == 404


def test_provider_works_the_job_through_the_api_and_consumes_stock(world):
    item = InventoryItemFactory(makerspace=world["space"], sku="PLA", name="PLA black", unit="kg", stock=1)
    job = receive(world["space"], "so-api")  # matched to the PLA item now that it exists
    api = client(world["provider"].user)
    machine = world["space"].equipment.get(equipment_type="3d_printer")

    assert api.post(f"{URL}{job.pk}/accept/", {"machine": machine.pk}, format="json").status_code == 200
    assert api.post(f"{URL}{job.pk}/start/").status_code == 200
    completed = api.post(f"{URL}{job.pk}/complete/", {}, format="json")
    shipped = api.post(f"{URL}{job.pk}/ship/", {"tracking": "AWB9"}, format="json")

    assert completed.status_code == 200 and completed.json()["status"] == "completed"
    assert shipped.json()["status"] == "shipped" and shipped.json()["tracking"] == "AWB9"
    item.refresh_from_db()
    assert item.quantity == Decimal("0.980")
    assert StockMovement.objects.get(kind="job").quantity == Decimal("-0.020")
    assert shipped.json()["machine"]["id"] == machine.pk


def test_complete_overdraw_is_409_and_nothing_changes(world):
    job = world["jobs"]["mine"]
    api = client(world["staff"])
    item = InventoryItemFactory(makerspace=world["space"], unit="piece", stock=1)
    api.post(f"{URL}{job.pk}/start/")

    response = api.post(f"{URL}{job.pk}/complete/", {"materials": [{"item": item.pk, "quantity": "2"}]}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "insufficient_stock"
    job.refresh_from_db(), item.refresh_from_db()
    assert job.status == "in_progress" and item.quantity == 1


def test_illegal_transition_is_409_invalid_transition(world):
    response = client(world["staff"]).post(f"{URL}{world['jobs']['open'].pk}/ship/")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition" and "request_id" in response.json()


def test_provider_may_not_reject_and_reject_needs_a_reason(world):
    job = world["jobs"]["open"]

    refused = client(world["provider"].user).post(f"{URL}{job.pk}/reject/", {"reason": "busy"}, format="json")
    missing = client(world["staff"]).post(f"{URL}{job.pk}/reject/", {}, format="json")
    done = client(world["staff"]).post(f"{URL}{job.pk}/reject/", {"reason": "No acrylic"}, format="json")

    assert refused.status_code == 403 and refused.json()["code"] == "not_job_staff"
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    assert done.status_code == 200 and done.json()["status_note"] == "No acrylic"


def test_bad_ids_in_bodies_are_400(world):
    job = world["jobs"]["open"]
    api = client(world["staff"])

    assert api.post(f"{URL}{job.pk}/accept/", {"provider": 999999}, format="json").status_code == 400
    assert api.post(f"{URL}{job.pk}/accept/", {"machine": "x"}, format="json").status_code == 400
    other_machine = world["other"].equipment.first()
    response = api.post(f"{URL}{job.pk}/accept/", {"machine": other_machine.pk}, format="json")
    assert response.status_code == 400 and "machine" in response.json()["errors"]
    assert ServiceJob.objects.get(pk=job.pk).status == "received"


@pytest.mark.parametrize("verb", ["accept", "start", "complete", "ship", "reject", "cancel"])
def test_actions_answer_post_only(world, verb):
    url = f"{URL}{world['jobs']['open'].pk}/{verb}/"
    api = client(world["staff"])

    assert [api.get(url).status_code, api.put(url).status_code, api.delete(url).status_code] == [405, 405, 405]


def test_anonymous_is_401():
    assert APIClient().get(URL).status_code == 401


def _count(api, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(URL, params)
    assert response.status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow_with_page_size(world, django_assert_max_num_queries):
    space = world["space"]
    for index in range(30):
        job = receive(space, f"so-bulk-{index}")
        if index % 2:
            job_services.job_accept(job=job, actor=world["staff"], provider=world["provider"])
    for user in (world["staff"], world["provider"].user):
        api = client(user)
        assert _count(api, {"page_size": 1}) == _count(api, {"page_size": 100})
    with django_assert_max_num_queries(6):
        client(world["provider"].user).get(URL, {"page_size": 100, "search": "part", "ordering": "-priority"})
