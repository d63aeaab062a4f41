"""The makerspace's cost rules are cached per version: a price costs three queries on a warm cache, and every kind
of rule change (service, API, admin-bypassing save, cascade, a machine's required skills) is seen by the next
price, including a price read while the change was still uncommitted."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction

from makerspace.models import CostRule
from makerspace.selectors import pricing as pricing_selectors
from makerspace.services import pricing
from makerspace.tests import factories as f
from makrx.tests.races import run_concurrently

pytestmark = pytest.mark.django_db
D = Decimal
START = datetime(2031, 1, 6, 10, tzinfo=UTC)  # a Monday
END = datetime(2031, 1, 6, 12, tzinfo=UTC)  # 2 hours: 400.00 at the machine's 200.00
PRICE = "/api/v1/makerspace/equipment/{}/price/"
RULES = "/api/v1/makerspace/cost-rules/"
QUERY = {"starts_at": START.isoformat(), "ends_at": END.isoformat()}


@pytest.fixture
def space():
    return f.MakerspaceFactory()


@pytest.fixture
def machine(space):
    return f.EquipmentFactory(makerspace=space, hourly_rate=D("200.00"), currency="INR")


@pytest.fixture
def manager(space):
    return f.MemberFactory(makerspace=space, role="manager").user


@pytest.fixture
def member(space):
    return f.MemberFactory(makerspace=space)


def total(machine, member) -> str:
    machine = type(machine).objects.select_related("makerspace").get(pk=machine.pk)
    quote = pricing_selectors.equipment_price(equipment=machine, user=member.user, starts_at=START, ends_at=END)
    return str(quote.total)


def test_a_warm_price_costs_three_queries_whatever_the_number_of_rules(
    client_for, space, machine, manager, member, django_assert_num_queries
):
    skill = f.SkillFactory(makerspace=space)
    machine.required_skills.add(skill)
    for index in range(18):
        pricing.cost_rule_create(makerspace=space, actor=manager, name=f"Fee {index}", kind="flat_fee", amount=D("1"))
    pricing.cost_rule_create(
        makerspace=space, actor=manager, name="Skill", kind="skill_premium", amount=D("5"), skill=skill
    )
    client = client_for(user=member.user)
    cold = client.get(PRICE.format(machine.pk), QUERY)
    assert cold.status_code == 200 and cold.json()["total"] == "423.00"  # 400 + 18 × 1 + 5
    # Equipment (with its makerspace), the member (with the plan), the subscription: the rules come from the cache.
    with django_assert_num_queries(3):
        warm = client.get(PRICE.format(machine.pk), QUERY)
    assert warm.json() == cold.json()


def test_every_rule_write_through_the_services_and_the_api_is_seen_by_the_next_price(
    client_for, space, machine, manager, member
):
    assert total(machine, member) == "400.00"
    fee = pricing.cost_rule_create(makerspace=space, actor=manager, name="Fee", kind="flat_fee", amount=D("50"))
    assert total(machine, member) == "450.00"
    client = client_for(user=manager)
    assert client.patch(f"{RULES}{fee.pk}/", {"amount": "70"}, format="json").status_code == 200
    assert total(machine, member) == "470.00"
    pricing.cost_rule_update(rule=fee, actor=manager, active=False)
    assert total(machine, member) == "400.00"
    pricing.cost_rule_update(rule=fee, actor=manager, active=True, equipment=machine)
    assert total(machine, member) == "470.00"
    other_machine = f.EquipmentFactory(makerspace=space, hourly_rate=D("200.00"), equipment_type="laser_cutter")
    assert total(other_machine, member) == "400.00"  # the rule names the first machine only
    pricing.cost_rule_create(
        makerspace=space, actor=manager, name="Laser fee", kind="flat_fee", amount=D("9"), equipment_type="laser_cutter"
    )
    assert total(other_machine, member) == "409.00"
    assert total(machine, member) == "470.00"  # not a laser cutter
    created = client.post(
        RULES, {"makerspace": space.pk, "name": "Rate", "kind": "hourly_rate", "amount": "100"}, format="json"
    )
    assert created.status_code == 201
    assert total(machine, member) == "270.00"  # 2 h × 100 + 70
    assert client.delete(f"{RULES}{fee.pk}/").status_code == 204
    assert total(machine, member) == "200.00"


def test_writes_that_bypass_the_services_clear_the_cache_too(space, machine, manager, member):
    plan = f.MembershipPlanFactory(makerspace=space)
    fee = pricing.cost_rule_create(makerspace=space, actor=manager, name="Fee", kind="flat_fee", amount=D("50"))
    assert total(machine, member) == "450.00"
    fee.amount = D("10")
    fee.save()  # a direct save (shell, data migration): the signal clears
    assert total(machine, member) == "410.00"
    CostRule.objects.create(makerspace=space, name="Plan fee", kind="flat_fee", amount=D("5"), plan=plan)
    assert total(machine, member) == "415.00"
    plan.delete()  # cascades to its rule
    assert total(machine, member) == "410.00"


def test_a_machines_required_skills_reach_the_skill_premium(space, machine, manager, member):
    skill = f.SkillFactory(makerspace=space)
    pricing.cost_rule_create(
        makerspace=space, actor=manager, name="Skill", kind="skill_premium", amount=D("30"), skill=skill
    )
    assert total(machine, member) == "400.00"
    machine.required_skills.add(skill)
    assert total(machine, member) == "430.00"
    skill.equipment.remove(machine)  # from the skill's side of the relation
    assert total(machine, member) == "400.00"
    machine.required_skills.set([skill])
    assert total(machine, member) == "430.00"
    machine.required_skills.clear()
    assert total(machine, member) == "400.00"


def test_one_makerspaces_rules_never_price_anothers_machine(space, machine, manager, member):
    other = f.MakerspaceFactory()
    other_manager = f.MemberFactory(makerspace=other, role="manager").user
    pricing.cost_rule_create(makerspace=other, actor=other_manager, name="Fee", kind="flat_fee", amount=D("99"))
    assert total(machine, member) == "400.00"


def test_without_the_cache_prices_come_from_the_database(space, machine, manager, member, monkeypatch):
    pricing.cost_rule_create(makerspace=space, actor=manager, name="Fee", kind="flat_fee", amount=D("50"))

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert total(machine, member) == "450.00"


def test_non_members_are_refused_and_hidden_machines_not_found(client_for, space, machine):
    outsider = f.MemberFactory(role="staff")
    refused = client_for(user=outsider.user).get(PRICE.format(machine.pk), QUERY)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_makerspace_member")
    suspended = f.MemberFactory(makerspace=space, status="suspended")
    assert client_for(user=suspended.user).get(PRICE.format(machine.pk), QUERY).status_code == 403
    machine.active = False
    machine.save(update_fields=["active"])
    member = f.MemberFactory(makerspace=space)
    assert client_for(user=member.user).get(PRICE.format(machine.pk), QUERY).status_code == 404
    manager = f.MemberFactory(makerspace=space, role="manager")
    assert client_for(user=manager.user).get(PRICE.format(machine.pk), QUERY).status_code == 200
    assert client_for(roles=["admin"]).get(PRICE.format(machine.pk), QUERY).status_code == 200
    assert client_for(user=member.user).get(PRICE.format(987654321), QUERY).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_price_read_while_a_rule_write_is_uncommitted_is_not_kept(space, machine, manager, member):
    fee = pricing.cost_rule_create(makerspace=space, actor=manager, name="Fee", kind="flat_fee", amount=D("50"))
    assert total(machine, member) == "450.00"
    with transaction.atomic():
        pricing.cost_rule_update(rule=fee, actor=manager, amount=D("80"))
        # Another connection prices now: it sees the committed 50 and caches it under the bumped version.
        [during] = run_concurrently(lambda _: total(machine, member), 1, reraise=True)
        assert during == "450.00"
    # The commit bumped the version again: the next price reads the committed 80.
    assert total(machine, member) == "480.00"
