"""Waiting lists: join a taken slot, first come first served offers when it frees up, holds, claims, expiry,
leaving the line, tenants and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from makerspace import tasks
from makerspace.models import Reservation, WaitlistEntry
from makerspace.services import waitlist
from makerspace.services.approval import reservation_reject
from makerspace.services.reservations import reservation_cancel, reservation_create
from makerspace.tests import factories as f
from makrx.errors import ConflictError

pytestmark = pytest.mark.django_db
URL = "/api/v1/makerspace/waitlist/"


def slot(days=2, hour=10, hours=1):
    start = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


@pytest.fixture
def space():
    return f.MakerspaceFactory()


@pytest.fixture
def machine(space):
    return f.EquipmentFactory(makerspace=space)


@pytest.fixture
def taken(space, machine):
    start, end = slot()
    return f.ReservationFactory(
        equipment=machine, member=f.MemberFactory(makerspace=space), starts_at=start, ends_at=end
    )


def members(space, n):
    return [f.MemberFactory(makerspace=space) for _ in range(n)]


def join(member, reservation):
    return waitlist.waitlist_join(
        actor=member.user, equipment=reservation.equipment, starts_at=reservation.starts_at, ends_at=reservation.ends_at
    )


def status(entry):
    entry.refresh_from_db()
    return entry.status


def test_join_through_the_api(client_for, space, taken):
    (member,) = members(space, 1)
    client = client_for(user=member.user)
    body = {
        "equipment": taken.equipment_id,
        "starts_at": taken.starts_at.isoformat(),
        "ends_at": taken.ends_at.isoformat(),
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "waiting"
    again = client.post(URL, body, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "duplicate")
    free_start, free_end = slot(days=4)
    free = client.post(
        URL, {**body, "starts_at": free_start.isoformat(), "ends_at": free_end.isoformat()}, format="json"
    )
    assert (free.status_code, free.json()["code"]) == (409, "slot_free")


def test_first_in_line_is_offered_a_cancelled_slot(space, taken, django_capture_on_commit_callbacks):
    first, second = members(space, 2)
    entries = [join(first, taken), join(second, taken)]
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(reservation=taken, actor=taken.user)
    assert [status(e) for e in entries] == ["offered", "waiting"]
    offer = [m for m in mail.outbox if m.to == [first.user.email]]
    assert len(offer) == 1 and "slot opened" in offer[0].subject
    # The offer holds the slot against everyone else.
    with pytest.raises(ConflictError) as caught:
        reservation_create(
            actor=second.user, equipment=taken.equipment, starts_at=taken.starts_at, ends_at=taken.ends_at
        )
    assert caught.value.code == "slot_taken"
    reservation = waitlist.waitlist_claim(entry=entries[0], actor=first.user)
    assert reservation.user == first.user and status(entries[0]) == "claimed"


def test_an_expired_offer_passes_to_the_next_in_line(space, taken):
    first, second = members(space, 2)
    entries = [join(first, taken), join(second, taken)]
    reservation_cancel(reservation=taken, actor=taken.user)
    late = timezone.now() + waitlist.hold() + timedelta(seconds=1)
    with pytest.raises(ConflictError) as caught:
        waitlist.waitlist_claim(entry=WaitlistEntry.objects.get(pk=entries[0].pk), actor=first.user, now=late)
    assert caught.value.code == "offer_expired"
    assert [status(e) for e in entries] == ["expired", "offered"]
    reservation = waitlist.waitlist_claim(entry=WaitlistEntry.objects.get(pk=entries[1].pk), actor=second.user)
    assert reservation.user == second.user


def test_the_sweep_expires_lapsed_offers(space, taken):
    first, second = members(space, 2)
    entries = [join(first, taken), join(second, taken)]
    reservation_cancel(reservation=taken, actor=taken.user)
    WaitlistEntry.objects.filter(pk=entries[0].pk).update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.expire_waitlist_offers_task.delay().get() == 1
    assert tasks.expire_waitlist_offers_task.delay().get() == 0
    assert [status(e) for e in entries] == ["expired", "offered"]


def test_claims_before_an_offer_and_by_others_are_refused(client_for, space, taken):
    first, second = members(space, 2)
    entries = [join(first, taken), join(second, taken)]
    response = client_for(user=second.user).post(f"{URL}{entries[1].pk}/claim/")
    assert (response.status_code, response.json()["code"]) == (409, "not_offered")
    reservation_cancel(reservation=taken, actor=taken.user)
    # The entry's owner alone claims it; another member does not even see it.
    assert client_for(user=second.user).post(f"{URL}{entries[0].pk}/claim/").status_code == 404
    staff = f.MemberFactory(makerspace=space, role="staff")
    assert client_for(user=staff.user).post(f"{URL}{entries[0].pk}/claim/").status_code == 403
    claimed = client_for(user=first.user).post(f"{URL}{entries[0].pk}/claim/")
    assert claimed.status_code == 201, claimed.json()
    assert client_for(user=first.user).get(f"{URL}{entries[0].pk}/claim/").status_code == 405


def test_partial_ranges_are_offered_to_whoever_can_use_them(space, machine):
    start, _ = slot()
    owner = f.MemberFactory(makerspace=space)
    morning = f.ReservationFactory(equipment=machine, member=owner, starts_at=start, ends_at=start + timedelta(hours=1))
    f.ReservationFactory(
        equipment=machine, member=owner, starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2)
    )
    whole, first_hour = members(space, 2)
    both = waitlist.waitlist_join(
        actor=whole.user, equipment=machine, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    one = waitlist.waitlist_join(
        actor=first_hour.user, equipment=machine, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    reservation_cancel(reservation=morning, actor=owner.user)
    # The two-hour entry cannot use one free hour; the one-hour entry behind it can.
    assert (status(both), status(one)) == ("waiting", "offered")


def test_rejection_and_leaving_pass_the_slot_on(space, machine):
    gated_start, gated_end = slot()
    requester = f.MemberFactory(makerspace=space)
    staff = f.MemberFactory(makerspace=space, role="staff")
    machine.approval = "always"
    machine.save()
    pending = reservation_create(actor=requester.user, equipment=machine, starts_at=gated_start, ends_at=gated_end)
    first, second = members(space, 2)
    entries = [join(first, pending), join(second, pending)]
    reservation_reject(reservation=pending, actor=staff.user, reason="No induction")
    assert [status(e) for e in entries] == ["offered", "waiting"]
    waitlist.waitlist_leave(entry=entries[0], actor=first.user)
    assert [status(e) for e in entries] == ["cancelled", "offered"]


def test_list_is_scoped_and_query_bounded(client_for, space, taken, django_assert_max_num_queries):
    (member,) = members(space, 1)
    join(member, taken)
    staff = f.MemberFactory(makerspace=space, role="staff")
    client = client_for(user=staff.user)
    with django_assert_max_num_queries(10) as one:
        assert client.get(URL, {"page_size": 1}).json()["count"] == 1
    for extra in members(space, 30):
        join(extra, taken)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(URL, {"page_size": 100})
    assert len(response.json()["results"]) == 31
    assert client_for(user=member.user).get(URL).json()["count"] == 1  # only their own
    outsider = f.MemberFactory(role="staff")
    assert client_for(user=outsider.user).get(URL).json()["count"] == 0
    entry = WaitlistEntry.objects.first()
    assert client_for(user=outsider.user).get(f"{URL}{entry.pk}/").status_code == 404
    assert client_for(user=outsider.user).post(f"{URL}{entry.pk}/leave/").status_code == 404
    assert Reservation.objects.count() == 1


def test_a_slot_taken_over_by_maintenance_is_not_offered(space, taken):
    from makerspace.services.maintenance import window_schedule

    (member,) = members(space, 1)
    entry = join(member, taken)
    staff = f.MemberFactory(makerspace=space, role="staff")
    window_schedule(
        actor=staff.user,
        equipment=taken.equipment,
        starts_at=taken.starts_at,
        ends_at=taken.ends_at,
        reason="Belt change",
        cancel_reservations=True,
    )
    taken.refresh_from_db()
    assert taken.status == "cancelled" and status(entry) == "waiting"


def test_entries_still_waiting_when_their_slot_starts_leave_the_line(space, taken):
    (member,) = members(space, 1)
    entry = join(member, taken)
    assert waitlist.waitlist_offers_expire_due(now=taken.starts_at - timedelta(minutes=1)) == 0
    assert status(entry) == "waiting"
    waitlist.waitlist_offers_expire_due(now=taken.starts_at)
    assert status(entry) == "expired"
