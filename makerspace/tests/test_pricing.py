"""Booking prices: a table of rule combinations against hand calculations, rule validation, the price endpoint,
the cost-rule and promo-code endpoints (tenants, query counts), and the price a reservation keeps."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from makerspace.models import CostRule, PromoCode, Reservation
from makerspace.services import pricing
from makerspace.services.reservations import reservation_create
from makerspace.tests import factories as f
from makrx.errors import ConflictError, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db
D = Decimal

# A Monday (weekday 0) far in the future: 10:00–12:30 UTC is 2.5 hours.
MONDAY = datetime(2031, 1, 6, tzinfo=UTC)
START = MONDAY.replace(hour=10)
END = MONDAY.replace(hour=12, minute=30)


@pytest.fixture
def space():
    return f.MakerspaceFactory()


@pytest.fixture
def machine(space):
    return f.EquipmentFactory(makerspace=space, hourly_rate=D("200.00"), currency="INR")


def rule(space, kind, priority=100, **params):
    return CostRule(makerspace=space, name=kind.replace("_", " "), kind=kind, priority=priority, **params)


def quote(machine, rules, *, start=START, end=END, **kwargs):
    for index, r in enumerate(rules, start=1):
        r.pk = index  # unsaved rules keep their listed order among equal priorities
    return pricing.price_quote(equipment=machine, starts_at=start, ends_at=end, rules=rules, **kwargs)


# (case id, rules built from the space, extra price_quote arguments, expected total, expected deposit)
# Every expected figure is worked by hand in the comment beside it; the machine costs 200.00 an hour.
TABLE = [
    ("machine rate only", lambda s, p, k: [], {}, "500.00", "0.00"),  # 2.5 h × 200
    ("flat fee", lambda s, p, k: [rule(s, "flat_fee", amount=D("50"))], {}, "550.00", "0.00"),  # 500 + 50
    (
        "hourly rule replaces the machine rate",
        lambda s, p, k: [rule(s, "hourly_rate", amount=D("120")), rule(s, "flat_fee", amount=D("50"))],
        {},
        "350.00",  # 2.5 × 120 + 50
        "0.00",
    ),
    (
        "tiered hours",
        lambda s, p, k: [
            rule(s, "tiered_hours", tiers=[{"up_to_hours": "1", "rate": "100"}, {"up_to_hours": None, "rate": "80"}])
        ],
        {},
        "220.00",  # 1 × 100 + 1.5 × 80
        "0.00",
    ),
    (
        "peak multiplier on part of the booking",
        lambda s, p, k: [rule(s, "time_multiplier", percent=D("150"), start_time=time(11), end_time=time(13))],
        {},
        "650.00",  # 500 + 500 × (90/150 min) × 0.5
        "0.00",
    ),
    (
        "weekday multiplier on another day",
        lambda s, p, k: [rule(s, "time_multiplier", percent=D("200"), weekdays=[1])],
        {},
        "500.00",  # Tuesday only: no effect on a Monday
        "0.00",
    ),
    (
        "off-peak multiplier below 100 %",
        lambda s, p, k: [rule(s, "time_multiplier", percent=D("50"), weekdays=[0])],
        {},
        "250.00",  # 500 − 500 × 1 × 0.5
        "0.00",
    ),
    (
        "plan discount after a flat fee",
        lambda s, p, k: [
            rule(s, "flat_fee", priority=10, amount=D("50")),
            rule(s, "plan_discount", priority=20, percent=D("10"), plan=p),
        ],
        {"plan": True},
        "495.00",  # (500 + 50) × 0.9
        "0.00",
    ),
    (
        "plan discount before a flat fee",
        lambda s, p, k: [
            rule(s, "plan_discount", priority=10, percent=D("10"), plan=p),
            rule(s, "flat_fee", priority=20, amount=D("50")),
        ],
        {"plan": True},
        "500.00",  # 500 × 0.9 + 50
        "0.00",
    ),
    (
        "plan discount for members without that plan",
        lambda s, p, k: [rule(s, "plan_discount", percent=D("10"), plan=p)],
        {},
        "500.00",
        "0.00",
    ),
    (
        "skill premium when the machine requires the skill",
        lambda s, p, k: [rule(s, "skill_premium", amount=D("30"), skill=k)],
        {"skills": True},
        "530.00",
        "0.00",
    ),
    (
        "skill premium for a machine without the skill",
        lambda s, p, k: [rule(s, "skill_premium", amount=D("30"), skill=k)],
        {},
        "500.00",
        "0.00",
    ),
    ("minimum charge", lambda s, p, k: [rule(s, "minimum_charge", amount=D("1000"))], {}, "1000.00", "0.00"),
    ("minimum below the price", lambda s, p, k: [rule(s, "minimum_charge", amount=D("100"))], {}, "500.00", "0.00"),
    ("percent deposit", lambda s, p, k: [rule(s, "deposit", percent=D("20"))], {}, "500.00", "100.00"),
    (
        "fixed deposit, computed last",
        lambda s, p, k: [rule(s, "deposit", priority=1, amount=D("250")), rule(s, "flat_fee", amount=D("10"))],
        {},
        "510.00",
        "250.00",
    ),
    (
        "included hours are not charged",
        lambda s, p, k: [],
        {"included_minutes": 60},
        "300.00",  # 1.5 billable h × 200
        "0.00",
    ),
    (
        "everything together",
        lambda s, p, k: [
            rule(s, "tiered_hours", priority=1, tiers=[{"up_to_hours": "1", "rate": "100"}, {"rate": "80"}]),
            rule(s, "time_multiplier", priority=2, percent=D("150"), weekdays=[0], start_time=time(11)),
            rule(s, "flat_fee", priority=3, amount=D("25")),
            rule(s, "plan_discount", priority=4, percent=D("10")),
            rule(s, "minimum_charge", priority=5, amount=D("100")),
            rule(s, "deposit", priority=6, percent=D("50")),
        ],
        {"plan": True, "included_minutes": 30},
        # billable 2 h: 1 × 100 + 1 × 80 = 180; 11:00–24:00 covers 90 of 150 min: + 180 × 0.6 × 0.5 = 54;
        # + 25 = 259; − 10 % = −25.90 → 233.10; minimum 100 passed; deposit 50 % = 116.55
        "233.10",
        "116.55",
    ),
]


@pytest.mark.parametrize(("case", "build", "extra", "total", "deposit"), TABLE, ids=[row[0] for row in TABLE])
def test_price_table(space, machine, case, build, extra, total, deposit):
    plan = f.MembershipPlanFactory(makerspace=space)
    skill = f.SkillFactory(makerspace=space)
    result = quote(
        machine,
        build(space, plan, skill),
        plan_id=plan.pk if extra.get("plan") else None,
        required_skill_ids={skill.pk} if extra.get("skills") else set(),
        included_minutes=extra.get("included_minutes", 0),
    )
    assert (result.total, result.deposit, result.currency) == (D(total), D(deposit), "INR")
    # The total is the sum of the rounded lines, floored at zero.
    assert result.total == max(sum(line.amount for line in result.lines), D(0))


def test_each_line_is_rounded_to_the_minor_unit(machine):
    machine.hourly_rate = D("10.00")
    result = quote(machine, [], start=START, end=START + timedelta(minutes=7))  # 10 × 7/60 = 1.1666…
    assert result.total == D("1.17") and [line.amount for line in result.lines] == [D("1.17")]


def test_only_the_first_rate_rule_prices_time(space, machine):
    result = quote(
        machine, [rule(space, "hourly_rate", priority=5, amount=D("10")), rule(space, "hourly_rate", amount=D("999"))]
    )
    assert result.total == D("25.00")


def test_a_window_crossing_midnight_counts_the_right_minutes(space, machine):
    night = rule(space, "time_multiplier", percent=D("200"), start_time=time(22), end_time=time(2))
    late = MONDAY.replace(hour=23)
    result = quote(machine, [night], start=late, end=late + timedelta(hours=2))  # 23:00–01:00 all inside
    assert result.total == D("800.00")  # 400 + 400 × 1 × 1


@pytest.mark.parametrize(
    ("promo", "total"),
    [
        (PromoCode(code="QUARTER", kind="percent", value=D("25")), "412.50"),
        (PromoCode(code="BIG", kind="fixed", value=D("600")), "0.00"),
    ],
)
def test_promo_codes_apply_after_the_rules(space, machine, promo, total):
    result = quote(machine, [rule(space, "flat_fee", amount=D("50"))], promo=promo)  # 550 − 25 % / − all
    assert result.total == D(total)


def test_an_unstorable_price_is_refused_not_a_500(space, machine):
    with pytest.raises(ValidationError):
        quote(machine, [rule(space, "hourly_rate", amount=D("9999999999.99"))])


# --- rule writes -------------------------------------------------------------------------------------


@pytest.fixture
def manager(space):
    return f.MemberFactory(makerspace=space, role="manager").user


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "flat_fee"}, "amount"),
        ({"kind": "plan_discount", "percent": D("150")}, "percent"),
        ({"kind": "deposit", "amount": D("1"), "percent": D("1")}, "amount"),
        ({"kind": "skill_premium", "amount": D("1")}, "skill"),
        ({"kind": "tiered_hours", "tiers": [{"up_to_hours": None, "rate": "1"}, {"rate": "2"}]}, "tiers"),
        (
            {"kind": "tiered_hours", "tiers": [{"up_to_hours": "2", "rate": "1"}, {"up_to_hours": "1", "rate": "2"}]},
            "tiers",
        ),
        ({"kind": "flat_fee", "amount": D("1"), "weekdays": [7]}, "weekdays"),
    ],
)
def test_rule_validation(space, manager, fields, field):
    with pytest.raises(ValidationError) as caught:
        pricing.cost_rule_create(makerspace=space, actor=manager, name="x", **fields)
    assert field in caught.value.errors


def test_rules_of_another_makerspace_cannot_be_mixed_in(space, manager):
    other_plan = f.MembershipPlanFactory()
    with pytest.raises(ValidationError) as caught:
        pricing.cost_rule_create(
            makerspace=space, actor=manager, name="x", kind="plan_discount", percent=D("5"), plan=other_plan
        )
    assert "plan" in caught.value.errors


def test_only_managers_write_rules(space):
    staff = f.MemberFactory(makerspace=space, role="staff").user
    with pytest.raises(PermissionDenied):
        pricing.cost_rule_create(makerspace=space, actor=staff, name="x", kind="flat_fee", amount=D("1"))


# --- reservations keep their price ----------------------------------------------------------------


def _slot(days=2, hour=10, hours=1):
    start = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


def test_a_reservation_keeps_the_price_it_was_made_at(space, machine, manager):
    member = f.MemberFactory(makerspace=space)
    fee = pricing.cost_rule_create(makerspace=space, actor=manager, name="Fee", kind="flat_fee", amount=D("50"))
    pricing.cost_rule_create(makerspace=space, actor=manager, name="Deposit", kind="deposit", percent=D("10"))
    start, end = _slot()
    reservation = reservation_create(actor=member.user, equipment=machine, starts_at=start, ends_at=end)
    assert (reservation.price, reservation.deposit, reservation.currency) == (D("250.00"), D("25.00"), "INR")
    assert [line["amount"] for line in reservation.price_lines] == ["200.00", "50.00"]
    pricing.cost_rule_update(rule=fee, actor=manager, amount=D("500"))
    reservation.refresh_from_db()
    assert reservation.price == D("250.00")


# --- API ---------------------------------------------------------------------------------------------

PRICE = "/api/v1/makerspace/equipment/{}/price/"
RULES = "/api/v1/makerspace/cost-rules/"
PROMOS = "/api/v1/makerspace/promo-codes/"


def test_price_endpoint(client_for, space, machine, manager):
    member = f.MemberFactory(makerspace=space)
    pricing.cost_rule_create(makerspace=space, actor=manager, name="Fee", kind="flat_fee", amount=D("50"))
    response = client_for(user=member.user).get(
        PRICE.format(machine.pk), {"starts_at": START.isoformat(), "ends_at": END.isoformat()}
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["total"], data["deposit"], data["currency"]) == ("550.00", "0.00", "INR")
    assert [(line["rule"] is None, line["amount"]) for line in data["lines"]] == [(True, "500.00"), (False, "50.00")]


@pytest.mark.parametrize(
    "query",
    [
        {"starts_at": "2031-01-06T12:00:00Z", "ends_at": "2031-01-06T10:00:00Z"},
        {"starts_at": "2031-01-06T10:00:00Z", "ends_at": "2031-03-06T10:00:00Z"},
        {"starts_at": "yesterday", "ends_at": "2031-01-06T10:00:00Z"},
        {"starts_at": "2031-01-06T10:00:00Z"},
        {"starts_at": "2031-01-06T10:00:00Z", "ends_at": "2031-01-06T11:00:00Z", "promo_code": "NOPE"},
    ],
)
def test_price_endpoint_bad_input_is_400(client_for, space, machine, query):
    member = f.MemberFactory(makerspace=space)
    response = client_for(user=member.user).get(PRICE.format(machine.pk), query)
    assert response.status_code == 400, response.json()
    assert response.json()["code"]


def test_price_endpoint_hides_another_makerspaces_machine(client_for, machine):
    outsider = f.MemberFactory(role="staff")
    response = client_for(user=outsider.user).get(
        PRICE.format(machine.pk), {"starts_at": START.isoformat(), "ends_at": END.isoformat()}
    )
    assert response.status_code in (403, 404)


def test_cost_rule_api_round_trip(client_for, space, machine, manager):
    client = client_for(user=manager)
    created = client.post(
        RULES,
        {
            "makerspace": space.pk,
            "name": "Tiers",
            "kind": "tiered_hours",
            "tiers": [{"up_to_hours": "1", "rate": "100"}, {"up_to_hours": None, "rate": "80"}],
            "equipment": machine.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    assert client.patch(f"{RULES}{rule_id}/", {"priority": 3}, format="json").json()["priority"] == 3
    assert client.delete(f"{RULES}{rule_id}/").status_code == 204
    assert not CostRule.objects.filter(pk=rule_id).exists()


def test_staff_of_another_makerspace_never_see_or_change_rules_and_codes(client_for, space):
    mine = f.CostRuleFactory(makerspace=space)
    code = f.PromoCodeFactory(makerspace=space)
    other = f.MemberFactory(role="manager")
    client = client_for(user=other.user)
    assert client.get(RULES, {"page_size": 100}).json()["results"] == []
    assert client.get(PROMOS, {"page_size": 100}).json()["results"] == []
    assert client.get(f"{RULES}{mine.pk}/").status_code == 404
    assert client.patch(f"{RULES}{mine.pk}/", {"priority": 1}, format="json").status_code == 404
    assert client.delete(f"{RULES}{mine.pk}/").status_code == 404
    assert client.get(f"{PROMOS}{code.pk}/").status_code == 404
    response = client.post(
        RULES, {"makerspace": space.pk, "name": "x", "kind": "flat_fee", "amount": "1"}, format="json"
    )
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.priority == 100


def test_members_do_not_see_rules_or_codes(client_for, space):
    f.CostRuleFactory(makerspace=space)
    member = f.MemberFactory(makerspace=space)
    assert client_for(user=member.user).get(RULES).json()["count"] == 0


@pytest.mark.parametrize(("path", "factory"), [(RULES, f.CostRuleFactory), (PROMOS, f.PromoCodeFactory)])
def test_lists_cost_the_same_queries_for_1_or_100_rows(
    client_for, space, manager, django_assert_max_num_queries, path, factory
):
    client = client_for(user=manager)
    factory(makerspace=space)
    with django_assert_max_num_queries(8) as one:
        assert client.get(path, {"page_size": 1}).status_code == 200
    factory.create_batch(100, makerspace=space)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(path, {"page_size": 100})
    assert len(response.json()["results"]) == 100


def test_promo_code_api(client_for, space, manager):
    client = client_for(user=manager)
    body = {"makerspace": space.pk, "code": "spring-25", "kind": "percent", "value": "25", "max_redemptions": 10}
    created = client.post(PROMOS, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "SPRING-25"
    duplicate = client.post(PROMOS, body, format="json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate")
    assert client.post(PROMOS, {**body, "code": "X", "value": "150"}, format="json").status_code == 400


def test_booking_with_a_promo_code_counts_a_redemption(space, machine):
    member = f.MemberFactory(makerspace=space)
    promo = f.PromoCodeFactory(makerspace=space, code="HALF", value=D("50"), max_redemptions=1)
    start, end = _slot()
    reservation = reservation_create(
        actor=member.user, equipment=machine, starts_at=start, ends_at=end, promo_code="half"
    )
    assert reservation.price == D("100.00") and reservation.promo_code == promo
    promo.refresh_from_db()
    assert promo.redemptions == 1 and promo.redemption_rows.get().discount == D("100.00")
    start, end = _slot(days=3)
    with pytest.raises(ConflictError) as caught:
        reservation_create(actor=member.user, equipment=machine, starts_at=start, ends_at=end, promo_code="HALF")
    assert caught.value.code == "promo_exhausted"
    assert Reservation.objects.count() == 1


def test_an_expired_promo_code_is_refused(space, machine):
    member = f.MemberFactory(makerspace=space)
    f.PromoCodeFactory(makerspace=space, code="OLD", valid_until=timezone.now() - timedelta(days=1))
    start, end = _slot()
    with pytest.raises(ConflictError) as caught:
        reservation_create(actor=member.user, equipment=machine, starts_at=start, ends_at=end, promo_code="OLD")
    assert caught.value.code == "promo_invalid"
