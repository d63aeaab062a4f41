"""Service jobs: receiving (idempotent, routed), transitions, permissions, inventory consumption and events."""

from __future__ import annotations

from decimal import Decimal

import pytest

from makerspace.models import Member, ServiceJob, ServiceJobEvent, ServiceProvider, StockMovement
from makerspace.services import jobs as job_services
from makerspace.tests.factories import (
    InventoryItemFactory,
    MemberFactory,
    ServiceProviderFactory,
    UserFactory,
    job_space,
)
from makrx import events
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError
from makrx.models import Notification

pytestmark = pytest.mark.django_db
S = ServiceJob.Status


def receive(external_order_id="so-1", **overrides):
    fields = {
        "actor": SYSTEM,
        "source": "store",
        "external_order_id": external_order_id,
        "title": "Bracket",
        "description": "2 x bracket.stl in PLA",
        "file_url": "https://files.example/bracket.stl",
        "requirements": {"material": "pla", "quality": "standard", "est_weight_g": 12.5, "capabilities": ["print_3d"]},
        "delivery": {"method": "ship", "address": {"city": "Pune", "postal_code": "411001"}},
        "priority": "normal",
        "quantity": 2,
        "price": "450.00",
        "currency": "INR",
        "customer": {"name": "Asha", "email": "asha@example.test"},
    }
    fields.update(overrides)
    return job_services.job_receive(**fields)


@pytest.fixture
def space():
    """A space taking store jobs, with a verified provider of its own (FDM PLA/PETG, laser acrylic/plywood)."""
    space = job_space(name="Central")
    ServiceProviderFactory(makerspaces=[space], display_name="Resident")
    return space


@pytest.fixture
def staff(space):
    return MemberFactory(makerspace=space, role=Member.Role.STAFF).user


@pytest.fixture
def provider(space):
    return ServiceProviderFactory(makerspaces=[space])


@pytest.fixture
def recorded():
    seen = []

    def handler(**payload):
        seen.append(payload)

    events.subscribe(job_services.STATUS_CHANGED, handler)
    yield seen
    events.unsubscribe(job_services.STATUS_CHANGED, handler)


# --- receive ---------------------------------------------------------------------------------------------------


def test_receive_creates_a_routed_job_with_its_first_event(space, staff, recorded):
    pla = InventoryItemFactory(makerspace=space, sku="PLA-1KG", name="PLA filament black", unit="g", stock=5000)

    job, created = receive()

    assert created is True
    job.refresh_from_db()
    assert (job.makerspace, job.status, job.material, job.material_item) == (space, S.RECEIVED, "pla", pla)
    assert (job.quantity, job.price, job.currency, job.customer_email) == (
        2,
        Decimal("450.00"),
        "INR",
        "asha@example.test",
    )
    assert list(job.events.values_list("from_status", "to_status")) == [("", "received")]
    assert [(p["from_status"], p["to_status"], p["job"].pk) for p in recorded] == [("", "received", job.pk)]
    assert Notification.objects.filter(user=staff, kind="job.received").count() == 1


def test_receive_twice_returns_the_same_job(space):
    first, created_first = receive()
    second, created_second = receive(title="changed")

    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk and ServiceJob.objects.count() == 1
    assert ServiceJobEvent.objects.count() == 1


def test_receive_refuses_bad_input_with_every_field_named(space):
    with pytest.raises(ValidationError) as caught:
        receive(
            external_order_id="", title="", quantity=0, priority="urgent", price="-1", requirements=[], currency="x"
        )

    assert set(caught.value.errors) == {
        "external_order_id",
        "title",
        "quantity",
        "priority",
        "price",
        "requirements",
        "currency",
    }
    assert ServiceJob.objects.count() == 0


def test_receive_is_platform_work(space, staff):
    with pytest.raises(PermissionDenied):
        receive(actor=staff)


# --- routing ---------------------------------------------------------------------------------------------------


def test_routing_takes_the_chosen_space(space, provider):
    other = job_space(name="Other")

    job, _ = receive(makerspace_id=other.pk)

    assert job.makerspace == other


def test_routing_takes_a_pickup_space_as_chosen(space, provider):
    other = job_space(name="Other")

    job, _ = receive(delivery={"method": "pickup", "makerspace": other.pk})

    assert job.makerspace == other


def test_routing_skips_a_chosen_space_that_does_not_accept_jobs(space, provider):
    closed = job_space(name="Closed")
    closed.space_settings.accepts_service_jobs = False
    closed.space_settings.save()

    job, _ = receive(makerspace_id=closed.pk)

    assert job.makerspace == space


def test_routing_prefers_the_space_near_the_delivery_address(space, provider):
    near = job_space(name="Pune Makers", address="12 FC Road, Pune 411004")
    ServiceProviderFactory(makerspaces=[near])

    job, _ = receive(delivery={"method": "ship", "address": {"city": "pune", "postal_code": "411099"}})

    assert job.makerspace == near


def test_routing_needs_a_capable_machine_and_the_material(space, provider):
    # "No laser" space is nearer but has no laser; "No PETG" has a laser provider without this material.
    no_laser = job_space(name="No laser", address="Pune")
    no_laser.equipment.filter(equipment_type="laser_cutter").update(status="offline")
    ServiceProviderFactory(makerspaces=[no_laser])
    no_acrylic = job_space(name="No acrylic", address="Pune")
    ServiceProviderFactory(makerspaces=[no_acrylic], capabilities=[("laser", ",plywood,")])
    requirements = {"material": "acrylic", "capabilities": ["laser_cut"]}

    job, _ = receive(requirements=requirements, delivery={"method": "ship", "address": {"city": "Pune"}})

    assert job.makerspace == space


def test_routing_counts_stock_as_the_material(space):
    ServiceProvider.objects.update(verified_at=None)  # no provider vouches for the material: only the stock does
    InventoryItemFactory(makerspace=space, sku="PETG", name="PETG spool", unit="g", stock=100)

    job, _ = receive(requirements={"material": "petg", "capabilities": ["print_3d"]})

    assert job.makerspace == space and job.material_item.sku == "PETG"


def test_routing_finds_no_space_and_writes_nothing(space):
    with pytest.raises(ConflictError) as caught:
        receive(requirements={"material": "titanium", "capabilities": ["print_3d"]})

    assert caught.value.code == "no_capable_makerspace"
    assert ServiceJob.objects.count() == 0


# --- transitions -------------------------------------------------------------------------------------------------


def test_full_life_by_the_provider_emits_every_status_in_order(space, staff, provider, recorded):
    item = InventoryItemFactory(makerspace=space, sku="PLA", name="PLA filament", unit="g", stock=1000)
    job, _ = receive()
    machine = space.equipment.get(equipment_type="3d_printer")

    job_services.job_accept(job=job, actor=provider.user, machine=machine)
    job_services.job_start(job=job, actor=provider.user)
    job_services.job_complete(job=job, actor=provider.user)
    job_services.job_ship(job=job, actor=provider.user, tracking="AWB123")

    job.refresh_from_db()
    assert (job.status, job.provider, job.machine, job.tracking) == (S.SHIPPED, provider, machine, "AWB123")
    assert all([job.accepted_at, job.started_at, job.completed_at, job.shipped_at])
    expected = [("", "received"), ("received", "accepted"), ("accepted", "in_progress"),
                ("in_progress", "completed"), ("completed", "shipped")]  # fmt: skip
    assert [(p["from_status"], p["to_status"]) for p in recorded] == expected
    assert list(job.events.values_list("from_status", "to_status")) == expected
    assert {p["actor"] for p in recorded[1:]} == {provider.user}
    item.refresh_from_db()
    assert item.quantity == Decimal("975.000")  # 12.5 g x 2
    movement = StockMovement.objects.get(item=item, kind="job")
    assert (movement.quantity, movement.reference, movement.actor) == (
        Decimal("-25.000"),
        f"job:{job.pk}",
        provider.user,
    )


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.RECEIVED, "start"),
        (S.RECEIVED, "complete"),
        (S.RECEIVED, "ship"),
        (S.ACCEPTED, "accept"),
        (S.ACCEPTED, "reject"),
        (S.IN_PROGRESS, "ship"),
        (S.COMPLETED, "cancel"),
        (S.SHIPPED, "cancel"),
        (S.REJECTED, "accept"),
        (S.CANCELLED, "start"),
    ],
)
def test_illegal_transitions_are_409_and_change_nothing(space, staff, status, action, recorded):
    job, _ = receive()
    ServiceJob.objects.filter(pk=job.pk).update(status=status, completed_at=job.received_at)
    recorded.clear()
    call = getattr(job_services, f"job_{action}")
    extra = {"reason": "no"} if action in ("reject", "cancel") else {}

    with pytest.raises(InvalidTransition):
        call(job=job, actor=staff, **extra)

    job.refresh_from_db()
    assert job.status == status and recorded == [] and job.events.count() == 1


def test_reject_and_cancel_need_a_reason_and_record_it(space, staff, recorded):
    job, _ = receive()
    with pytest.raises(ValidationError):
        job_services.job_reject(job=job, actor=staff, reason=" ")

    job_services.job_reject(job=job, actor=staff, reason="We are closed this week")

    job.refresh_from_db()
    assert (job.status, job.status_note) == (S.REJECTED, "We are closed this week")
    assert recorded[-1]["note"] == "We are closed this week" and recorded[-1]["to_status"] == "rejected"


def test_cancel_from_in_progress(space, staff):
    job, _ = receive()
    job_services.job_accept(job=job, actor=staff)
    job_services.job_start(job=job, actor=staff)

    job_services.job_cancel(job=job, actor=SYSTEM, reason="Store order refunded")

    job.refresh_from_db()
    assert job.status == S.CANCELLED and job.cancelled_at is not None


# --- permissions -------------------------------------------------------------------------------------------------


def test_staff_assign_a_provider_who_is_notified(space, staff, provider):
    job, _ = receive()

    job_services.job_accept(job=job, actor=staff, provider=provider)

    assert Notification.objects.filter(user=provider.user, kind="job.assigned").count() == 1


def test_provider_cannot_reject_cancel_or_take_anothers_job(space, provider):
    other = ServiceProviderFactory(makerspaces=[space])
    job, _ = receive()
    with pytest.raises(PermissionDenied):
        job_services.job_reject(job=job, actor=provider.user, reason="no")
    with pytest.raises(PermissionDenied):
        job_services.job_accept(job=job, actor=provider.user, provider=other)
    job_services.job_accept(job=job, actor=other.user)

    with pytest.raises(PermissionDenied):
        job_services.job_start(job=job, actor=provider.user)
    with pytest.raises(PermissionDenied):
        job_services.job_cancel(job=job, actor=other.user, reason="no")


def test_unverified_provider_and_other_spaces_staff_are_refused(space):
    job, _ = receive()
    unverified = ServiceProviderFactory(makerspaces=[space], verified_at=None)
    elsewhere = MemberFactory(makerspace=job_space(name="Elsewhere"), role=Member.Role.MANAGER).user
    member = MemberFactory(makerspace=space).user

    for actor in (unverified.user, elsewhere, member, UserFactory()):
        with pytest.raises(PermissionDenied):
            job_services.job_accept(job=job, actor=actor)
    job.refresh_from_db()
    assert job.status == S.RECEIVED


def test_assignment_checks_provider_and_machine(space, staff):
    job, _ = receive()
    outsider = ServiceProviderFactory(makerspaces=[job_space(name="Far")])
    laser = space.equipment.get(equipment_type="laser_cutter")

    with pytest.raises(ValidationError) as caught:
        job_services.job_accept(job=job, actor=staff, provider=outsider, machine=laser)

    assert set(caught.value.errors) == {"provider", "machine"}


# --- consumption -------------------------------------------------------------------------------------------------


def _started(space, staff):
    job, _ = receive()
    job_services.job_accept(job=job, actor=staff)
    job_services.job_start(job=job, actor=staff)
    return job


def test_complete_with_named_materials_writes_one_ledger_row_each(space, staff):
    job = _started(space, staff)
    pla = InventoryItemFactory(makerspace=space, unit="kg", stock=2)
    glue = InventoryItemFactory(makerspace=space, unit="piece", stock=10)

    job_services.job_complete(
        job=job, actor=staff, materials=[{"item": pla, "quantity": "0.030"}, {"item": glue.pk, "quantity": 1}]
    )

    pla.refresh_from_db(), glue.refresh_from_db()
    assert (pla.quantity, glue.quantity) == (Decimal("1.970"), Decimal("9.000"))
    assert StockMovement.objects.filter(kind="job", reference=f"job:{job.pk}").count() == 2
    assert job.events.last().data["consumed"][0]["item"] == min(pla.pk, glue.pk)


def test_complete_refuses_an_overdraw_and_nothing_changes(space, staff, recorded):
    job = _started(space, staff)
    plenty = InventoryItemFactory(makerspace=space, unit="piece", stock=10)
    scarce = InventoryItemFactory(makerspace=space, unit="piece", stock=1)
    recorded.clear()

    with pytest.raises(ConflictError) as caught:
        job_services.job_complete(
            job=job, actor=staff, materials=[{"item": plenty, "quantity": 3}, {"item": scarce, "quantity": 2}]
        )

    assert caught.value.code == "insufficient_stock"
    plenty.refresh_from_db(), scarce.refresh_from_db(), job.refresh_from_db()
    assert (plenty.quantity, scarce.quantity, job.status) == (Decimal("10"), Decimal("1"), S.IN_PROGRESS)
    assert StockMovement.objects.filter(kind="job").count() == 0 and recorded == []


def test_complete_refuses_another_spaces_item(space, staff):
    job = _started(space, staff)
    foreign = InventoryItemFactory(makerspace=job_space(name="Far"), unit="piece", stock=10)

    with pytest.raises(ValidationError):
        job_services.job_complete(job=job, actor=staff, materials=[{"item": foreign, "quantity": 1}])


def test_complete_without_a_matched_item_draws_nothing(space, staff):
    job = _started(space, staff)

    job_services.job_complete(job=job, actor=staff)

    job.refresh_from_db()
    assert job.status == S.COMPLETED and StockMovement.objects.filter(kind="job").count() == 0


def test_a_failing_subscriber_rolls_the_change_back(space, staff):
    job, _ = receive()

    def broken(**payload):
        raise RuntimeError("outbox down")

    events.subscribe(job_services.STATUS_CHANGED, broken)
    try:
        with pytest.raises(RuntimeError):
            job_services.job_accept(job=job, actor=staff)
    finally:
        events.unsubscribe(job_services.STATUS_CHANGED, broken)
    job.refresh_from_db()
    assert job.status == S.RECEIVED and job.events.count() == 1


# --- hostile input and reassignment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"requirements": {"material": ["pla"], "capabilities": 5, "est_weight_g": "heavy"}},
        {"requirements": {"material": "pl'a; drop", "capabilities": [{"x": 1}, None]}},
        {"delivery": {"method": "pickup", "makerspace": "99999999999999999999999"}},
        {"delivery": {"method": "pickup", "makerspace": 2**70}},
        {"delivery": {"method": "ship", "address": ["not", "a", "dict"]}},
        {"title": "x" * 5000, "quantity": True},
        {"price": "NaN", "customer": "someone"},
    ],
)
def test_hostile_receives_are_domain_errors_or_routed_never_crashes(space, overrides):
    try:
        job, _ = receive(**overrides)
    except (ValidationError, ConflictError):
        assert ServiceJob.objects.count() == 0
    else:
        assert job.makerspace == space
        job_services.job_accept(job=job, actor=SYSTEM)
        job_services.job_start(job=job, actor=SYSTEM)
        job_services.job_complete(job=job, actor=SYSTEM)


def test_assign_is_staff_work_on_open_jobs_and_is_on_the_timeline(space, staff, provider, recorded):
    job, _ = receive()
    machine = space.equipment.get(equipment_type="3d_printer")
    with pytest.raises(PermissionDenied):
        job_services.job_assign(job=job, actor=provider.user, provider=provider, machine=None)

    job_services.job_assign(job=job, actor=staff, provider=provider, machine=machine)

    job.refresh_from_db()
    assert (job.provider, job.machine, job.status) == (provider, machine, S.RECEIVED)
    assert job.events.last().note == "Assigned" and len(recorded) == 1  # not announced as a status change
    job_services.job_reject(job=job, actor=staff, reason="no")
    with pytest.raises(InvalidTransition):
        job_services.job_assign(job=job, actor=staff, provider=None, machine=None)


def test_accept_path_is_the_api_route(space):
    from makerspace.selectors.jobs import job_accept_path

    job, _ = receive()

    assert job_accept_path(job) == f"/api/v1/makerspace/jobs/{job.pk}/accept/"
