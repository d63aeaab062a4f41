"""Admin screens of bookings II: the history inline, approve/reject actions, cost rules and promo codes saved
through the services, series and waiting lists, all scoped to the manager's makerspaces."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from makerspace.models import CostRule, PromoCode, Reservation, ReservationEvent
from makerspace.services import waitlist
from makerspace.services.recurring import reservation_series_create
from makerspace.services.reservations import reservation_create
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db
ADMIN = "/admin/makerspace"


@pytest.fixture
def spaces(make_user):
    a, b = f.MakerspaceFactory(name="Alpha"), f.MakerspaceFactory(name="Beta")
    manager = make_user("manager_a", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=a, role="manager")
    client = Client()
    client.force_login(manager)
    return a, b, manager, client


def _pending(space):
    from datetime import timedelta

    from django.utils import timezone

    member = f.MemberFactory(makerspace=space)
    machine = f.EquipmentFactory(makerspace=space, approval="always")
    start = (timezone.now() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    return reservation_create(actor=member.user, equipment=machine, starts_at=start, ends_at=start + timedelta(hours=1))


def test_approve_and_reject_actions_go_through_the_services(spaces):
    a, b, manager, client = spaces
    approve_me, reject_me, elsewhere = _pending(a), _pending(a), _pending(b)
    client.post(f"{ADMIN}/reservation/", {"action": "approve", "_selected_action": [approve_me.pk, elsewhere.pk]})
    page = client.post(f"{ADMIN}/reservation/", {"action": "reject", "_selected_action": [reject_me.pk]})
    assert page.status_code == 200  # asks for the reason first
    client.post(
        f"{ADMIN}/reservation/",
        {"action": "reject", "_selected_action": [reject_me.pk], "apply": "1", "reason": "No induction"},
    )
    statuses = {r.pk: r.status for r in Reservation.objects.all()}
    assert statuses == {approve_me.pk: "confirmed", reject_me.pk: "rejected", elsewhere.pk: "pending"}
    assert ReservationEvent.objects.get(reservation=reject_me, kind="rejected").actor == manager
    change = client.get(f"{ADMIN}/reservation/{approve_me.pk}/change/").content.decode()
    assert "approved" in change.lower() and "created" in change.lower()  # the history inline


def test_cost_rules_and_promo_codes_are_saved_through_the_services(spaces):
    a, b, manager, client = spaces
    response = client.post(
        f"{ADMIN}/costrule/add/",
        {
            "makerspace": a.pk,
            "name": "Weekend",
            "kind": "time_multiplier",
            "priority": "10",
            "percent": "150",
            "weekdays": "[5, 6]",
            "tiers": "[]",
            "active": "on",
            "equipment_type": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = CostRule.objects.get(name="Weekend")
    assert (rule.makerspace, rule.weekdays) == (a, [5, 6])
    bad = client.post(
        f"{ADMIN}/costrule/add/",
        {"makerspace": a.pk, "name": "No amount", "kind": "flat_fee", "priority": "1", "weekdays": "[]", "tiers": "[]"},
    )
    assert not CostRule.objects.filter(name="No amount").exists() and bad.status_code in (200, 302)
    client.post(
        f"{ADMIN}/costrule/add/",
        {
            "makerspace": b.pk,
            "name": "Elsewhere",
            "kind": "flat_fee",
            "amount": "1",
            "priority": "1",
            "weekdays": "[]",
            "tiers": "[]",
        },
    )
    assert not CostRule.objects.filter(name="Elsewhere").exists()
    response = client.post(
        f"{ADMIN}/promocode/add/",
        {
            "makerspace": a.pk,
            "code": "spring",
            "kind": "percent",
            "value": "10",
            "active": "on",
            # The redemptions inline's management form, as the browser posts it.
            "redemption_rows-TOTAL_FORMS": "0",
            "redemption_rows-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert PromoCode.objects.get().code == "SPRING"


def test_series_waitlist_and_pricing_screens_render_scoped(spaces):
    from datetime import timedelta

    from django.utils import timezone

    a, b, manager, client = spaces
    member = f.MemberFactory(makerspace=a)
    machine = f.EquipmentFactory(makerspace=a)
    start = (timezone.now() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    series, booked = reservation_series_create(
        actor=member.user, equipment=machine, starts_at=start, ends_at=start + timedelta(hours=1), every="week", count=2
    )
    entry = waitlist.waitlist_join(
        actor=f.MemberFactory(makerspace=a).user,
        equipment=machine,
        starts_at=booked[0].starts_at,
        ends_at=booked[0].ends_at,
    )
    rule = f.CostRuleFactory(makerspace=a, amount=Decimal("5"))
    other_rule = f.CostRuleFactory(makerspace=b)
    for path in (
        f"{ADMIN}/reservationseries/",
        f"{ADMIN}/reservationseries/{series.pk}/change/",
        f"{ADMIN}/waitlistentry/",
        f"{ADMIN}/waitlistentry/{entry.pk}/change/",
        f"{ADMIN}/costrule/",
        f"{ADMIN}/costrule/{rule.pk}/change/",
        f"{ADMIN}/promocode/",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get(f"{ADMIN}/costrule/{other_rule.pk}/change/").status_code in (302, 403, 404)
    client.post(f"{ADMIN}/waitlistentry/", {"action": "remove_from_line", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.status == "cancelled"
