"""Hostile input on the bookings II endpoints: every bad body is a 4xx in the error format, nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from makerspace.models import CostRule, Equipment, PromoCode, Reservation, WaitlistEntry
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db
MS = "/api/v1/makerspace"
HUGE = 2**70


@pytest.fixture
def world(client_for):
    manager = f.MemberFactory(role="manager")
    space = manager.makerspace
    machine = f.EquipmentFactory(makerspace=space)
    member = f.MemberFactory(makerspace=space)
    start = (timezone.now() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    return {
        "space": space,
        "machine": machine,
        "manager": client_for(user=manager.user),
        "member": client_for(user=member.user),
        "start": start,
    }


RULE_BODIES = [
    {"kind": "flat_fee", "amount": "-1"},
    {"kind": "flat_fee", "amount": "1e400"},
    {"kind": "flat_fee", "amount": "NaN"},
    {"kind": "flat_fee", "amount": "12345678901234"},
    {"kind": "nonsense", "amount": "1"},
    {"kind": "tiered_hours", "tiers": "fast"},
    {"kind": "tiered_hours", "tiers": [{"up_to_hours": "x", "rate": "1"}]},
    {"kind": "tiered_hours", "tiers": [{"up_to_hours": "2", "rate": "1"}, {"up_to_hours": "1", "rate": "1"}]},
    {"kind": "tiered_hours", "tiers": [{"rate": "1"}] * 30},
    {"kind": "time_multiplier", "percent": "99999999"},
    {"kind": "time_multiplier", "percent": "150", "weekdays": [9]},
    {"kind": "time_multiplier", "percent": "150", "start_time": "25:00"},
    {"kind": "plan_discount", "percent": "50", "plan": HUGE},
    {"kind": "plan_discount", "percent": "50", "plan": 999999},
    {"kind": "skill_premium", "amount": "1", "skill": "one"},
    {"kind": "deposit"},
    {"kind": "flat_fee", "amount": "1", "equipment_type": "spaceship"},
    {"kind": "flat_fee", "amount": "1", "priority": -5},
]


@pytest.mark.parametrize("extra", RULE_BODIES)
def test_bad_cost_rules_are_400(world, extra):
    body = {"makerspace": world["space"].pk, "name": "Bad", **extra}
    response = world["manager"].post(f"{MS}/cost-rules/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] and not CostRule.objects.exists()


def test_bad_cost_rule_patch_is_400_and_leaves_the_rule(world):
    rule = f.CostRuleFactory(makerspace=world["space"])
    for body in ({"kind": "deposit", "percent": "10"}, {"amount": None}, {"tiers": [1, 2]}, {"kind": "tiered_hours"}):
        response = world["manager"].patch(f"{MS}/cost-rules/{rule.pk}/", body, format="json")
        assert response.status_code == 400, (body, response.content)
    rule.refresh_from_db()
    assert (rule.kind, rule.amount) == ("flat_fee", 50)


@pytest.mark.parametrize(
    "extra",
    [
        {"code": "has space", "kind": "percent", "value": "5"},
        {"code": "", "kind": "percent", "value": "5"},
        {"code": "X" * 41, "kind": "percent", "value": "5"},
        {"code": "OK", "kind": "percent", "value": "0"},
        {"code": "OK", "kind": "fixed", "value": "1e20"},
        {"code": "OK", "kind": "percent", "value": "5", "max_redemptions": HUGE},
        {
            "code": "OK",
            "kind": "percent",
            "value": "5",
            "valid_from": "2031-01-02T00:00Z",
            "valid_until": "2031-01-01T00:00Z",
        },
        {"code": "OK", "kind": "percent", "value": "5", "valid_until": "tomorrow"},
    ],
)
def test_bad_promo_codes_are_400(world, extra):
    response = world["manager"].post(f"{MS}/promo-codes/", {"makerspace": world["space"].pk, **extra}, format="json")
    assert response.status_code == 400, response.content
    assert not PromoCode.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"repeat": "weekly"},
        {"repeat": {"every": "week", "count": "many"}},
        {"repeat": {"every": "week", "count": HUGE}},
        {"repeat": {"every": "week", "until": "31/12/2031"}},
        {"supervisor": HUGE},
        {"supervisor": "boss"},
        {"emergency": "maybe"},
        {"promo_code": "X" * 100},
        {"promo_code": "UNKNOWN"},
        {"emergency": True, "notes": "x", "repeat": {"every": "day", "count": 2}},
    ],
)
def test_bad_booking_extras_are_4xx(world, extra):
    start = world["start"]
    body = {
        "equipment": world["machine"].pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        **extra,
    }
    response = world["member"].post(f"{MS}/reservations/", body, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["code"] and not Reservation.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"equipment": HUGE, "starts_at": "2031-01-01T10:00Z", "ends_at": "2031-01-01T11:00Z"},
        {"equipment": "1", "starts_at": "2031-01-01T10:00", "ends_at": "2031-01-01T11:00"},
        {"equipment": 1, "starts_at": "2031-01-01T11:00Z", "ends_at": "2031-01-01T10:00Z"},
        {"equipment": 1, "starts_at": "9999-12-31T23:00Z", "ends_at": "9999-12-31T23:30Z"},
        [],
    ],
)
def test_bad_waitlist_bodies_are_4xx(world, body):
    if isinstance(body, dict) and body.get("equipment") == 1:
        body = {**body, "equipment": world["machine"].pk}
    response = world["member"].post(f"{MS}/waitlist/", body, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize(
    "staffed",
    [
        "9 to 5",
        [{"weekday": 9, "opens": "09:00", "closes": "17:00"}],
        [{"weekday": 1, "opens": "17:00", "closes": "09:00"}],
        [{"weekday": 1, "opens": "nine", "closes": "17:00"}],
        [{"weekday": True, "opens": "09:00", "closes": "17:00"}],
    ],
)
def test_bad_staffed_hours_are_400(world, staffed):
    machine = world["machine"]
    response = world["manager"].patch(f"{MS}/equipment/{machine.pk}/", {"staffed_hours": staffed}, format="json")
    assert response.status_code == 400, response.content
    assert Equipment.objects.get(pk=machine.pk).staffed_hours == []


def test_above_price_needs_a_threshold(world):
    machine = world["machine"]
    response = world["manager"].patch(f"{MS}/equipment/{machine.pk}/", {"approval": "above_price"}, format="json")
    assert response.status_code == 400
    ok = world["manager"].patch(
        f"{MS}/equipment/{machine.pk}/", {"requires_approval": True, "requires_supervisor": True}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["approval"] == "always" and ok.json()["requires_approval"] is True
