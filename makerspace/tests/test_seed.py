"""`manage.py seed` for the makerspace: sample members, bookings, waiting list, inventory and a project,
placed relative to now in the space's time zone, and nothing new when it runs again."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from makerspace.models import InventoryItem, Makerspace, Member, Project, Reservation, WaitlistEntry
from makerspace.seed import SEED_NOTE, SLUG, open_slots, sample_data
from makrx.models import User

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "users": User.objects.count(),
        "members": dict(Member.objects.filter(makerspace__slug=SLUG).values_list("user__username", "status")),
        "reservations": sorted(Reservation.objects.values_list("notes", "status", "starts_at")),
        "waitlist": WaitlistEntry.objects.count(),
        "inventory": InventoryItem.objects.count(),
        "projects": Project.objects.count(),
    }


def _seed():
    out = io.StringIO()
    call_command("seed", only=["makrx", "makerspace"], stdout=out)
    return out.getvalue()


def test_seed_adds_each_sample_once():
    _seed()
    first = _counts()
    members = first["members"]
    assert members["rahul"] == Member.Status.PENDING
    assert {members[name] for name in ("asha", "vikram", "meera", "admin")} == {Member.Status.ACTIVE}
    assert Member.objects.get(user__username="asha").plan.name == "Basic"
    statuses = [status for _, status, _ in first["reservations"]]
    assert statuses.count(Reservation.Status.PENDING) == 1
    assert statuses.count(Reservation.Status.CONFIRMED) == 6
    pending = Reservation.objects.get(status=Reservation.Status.PENDING)
    assert pending.equipment.slug == "cnc-router-1200" and pending.user.username == "meera"
    # Each booking sits on the space's n-th open hour from now (the first ones today while it is open).
    space = Makerspace.objects.get(slug=SLUG)
    slots = open_slots(space, now=timezone.now())
    for row in sample_data()["bookings"]:
        reservation = Reservation.objects.get(notes=f"{SEED_NOTE}{row['key']}")
        assert reservation.starts_at == slots[row["slot"]]
        assert reservation.ends_at - reservation.starts_at == timedelta(hours=row["hours"])
    assert slots[45] - timezone.now() < timedelta(days=7)  # all within the coming week
    assert WaitlistEntry.objects.get().user.username == "meera"
    assert WaitlistEntry.objects.get().starts_at == slots[0]
    low = [item.sku for item in InventoryItem.objects.filter(makerspace=space) if item.quantity < item.reorder_level]
    assert low == ["PETG-CLR-1KG"]
    assert first["projects"] == 1

    _seed()
    assert _counts() == first


def test_bookings_are_made_again_once_the_old_ones_are_over():
    _seed()
    # Move the sample bookings a month back, as if seed ran long ago.
    for reservation in Reservation.objects.all():
        Reservation.objects.filter(pk=reservation.pk).update(
            starts_at=reservation.starts_at - timedelta(days=30), ends_at=reservation.ends_at - timedelta(days=30)
        )
    _seed()
    upcoming = Reservation.objects.filter(starts_at__gt=timezone.now())
    assert upcoming.count() == len(sample_data()["bookings"])
    assert all(note.startswith(SEED_NOTE) for note in upcoming.values_list("notes", flat=True))
    assert Reservation.objects.count() == 2 * len(sample_data()["bookings"])


def test_open_slots_skip_closed_days_and_start_at_the_next_whole_hour():
    _seed()
    space = Makerspace.objects.get(slug=SLUG)
    tz = space.tzinfo
    now = timezone.now()
    slots = open_slots(space, now=now)
    assert slots[0] > now and slots[0] - now < timedelta(days=2)
    for slot in slots:
        local = slot.astimezone(tz)
        assert local.weekday() != 6 and 9 <= local.hour < 21 and local.minute == 0


@pytest.mark.parametrize(("development", "samples"), [(False, "auto"), (True, "no")])
def test_no_sample_activity_outside_development_or_when_asked(settings, development, samples):
    settings.IS_DEVELOPMENT = development
    call_command("seed", only=["makrx", "makerspace"], samples=samples, stdout=io.StringIO())
    assert Makerspace.objects.filter(slug=SLUG).exists()  # the space itself is always seeded
    assert not Reservation.objects.exists() and not InventoryItem.objects.exists()
    assert not User.objects.filter(username__in=["priya", "asha"]).exists()


def test_samples_yes_adds_them_outside_development(settings):
    settings.IS_DEVELOPMENT = False
    call_command("seed", only=["makrx", "makerspace"], samples="yes", stdout=io.StringIO())
    assert Reservation.objects.count() == len(sample_data()["bookings"])
    assert not User.objects.filter(username="admin").exists()  # the password superuser stays development-only
