"""Booking prices: cost rules applied in priority order, promo codes, and the rules' and codes' writes.

``price_quote`` is a pure calculation over rules already loaded (so the price endpoint and the booking
service compute the same thing, and a test table checks it by hand). Every line is rounded once to the
currency's minor unit; the total is the sum of the rounded lines (never negative). Managers of a makerspace
write its rules and promo codes; a booking redeems a code with one conditional UPDATE, so concurrent
bookings never redeem it past ``max_redemptions``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from makerspace.models import CostRule, Equipment, PromoCode
from makrx.auth import scoping
from makrx.errors import ConflictError, ValidationError
from makrx.money import quantize_money

logger = logging.getLogger(__name__)
HOUR = Decimal(3600)
# A makerspace's rules stay cached this long at most, even if a clear was lost (the cache down during a write).
RULES_CACHE_SECONDS = 300
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("1e10")  # a MoneyField holds 10 digits before the point
RATE_KINDS = (CostRule.Kind.HOURLY_RATE, CostRule.Kind.TIERED_HOURS)


@dataclass
class PriceLine:
    rule: int | None
    description: str
    amount: Decimal

    def as_json(self) -> dict:
        return {"rule": self.rule, "description": self.description, "amount": str(self.amount)}


@dataclass
class Quote:
    total: Decimal
    deposit: Decimal
    currency: str
    lines: list[PriceLine] = field(default_factory=list)
    billable_minutes: int = 0
    included_minutes: int = 0

    def lines_json(self) -> list[dict]:
        return [line.as_json() for line in self.lines]


def _hours(minutes: int | Decimal) -> Decimal:
    return Decimal(minutes) / Decimal(60)


def _fmt_hours(hours: Decimal) -> str:
    return f"{hours.quantize(Decimal('0.01')).normalize():f} h"


def minutes_inside(rule: CostRule, *, starts_at: datetime, ends_at: datetime, tz) -> int:
    """Minutes of [starts_at, ends_at) inside the rule's weekdays and local time window."""
    first = starts_at.astimezone(tz).date() - timedelta(days=1)  # a window that crosses midnight starts the day before
    last = ends_at.astimezone(tz).date()
    total = 0
    day = first
    while day <= last:
        if not rule.weekdays or day.weekday() in rule.weekdays:
            opens = datetime.combine(day, rule.start_time or time.min, tzinfo=tz)
            if rule.end_time is None or (rule.end_time <= (rule.start_time or time.min)):
                closes = datetime.combine(day + timedelta(days=1), rule.end_time or time.min, tzinfo=tz)
            else:
                closes = datetime.combine(day, rule.end_time, tzinfo=tz)
            overlap = min(closes, ends_at) - max(opens, starts_at)
            if overlap.total_seconds() > 0:
                total += int(overlap.total_seconds() // 60)
        day += timedelta(days=1)
    return total


def _tiered(rule: CostRule, billable_hours: Decimal) -> tuple[Decimal, str]:
    amount, floor, parts = Decimal(0), Decimal(0), []
    for tier in rule.tiers:
        cap = tier.get("up_to_hours")
        cap = None if cap is None else Decimal(str(cap))
        rate = Decimal(str(tier["rate"]))
        top = billable_hours if cap is None else min(cap, billable_hours)
        if top > floor:
            amount += (top - floor) * rate
            parts.append(f"{_fmt_hours(top - floor)} × {rate}")
        if cap is None or billable_hours <= cap:
            break
        floor = cap
    return amount, " + ".join(parts) or "0 h"


def price_quote(
    *,
    equipment: Equipment,
    starts_at: datetime,
    ends_at: datetime,
    rules: list[CostRule],
    plan_id: int | None = None,
    required_skill_ids: set[int] | frozenset = frozenset(),
    included_minutes: int = 0,
    promo: PromoCode | None = None,
) -> Quote:
    """The price of booking ``equipment`` for the range under ``rules`` (already filtered to this machine).

    ``included_minutes`` of the booking are covered by the member's plan and not charged by the time rules.
    Only the first rate rule (hourly or tiered, by priority) prices time; without one, the machine's
    ``hourly_rate`` does. The promo code applies after every rule, the deposit last.
    """
    tz = equipment.makerspace.tzinfo
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    included_minutes = max(0, min(included_minutes, minutes))
    billable_minutes = minutes - included_minutes
    billable_hours = _hours(billable_minutes)
    ordered = sorted(rules, key=lambda r: (r.priority, r.pk or 0))
    lines: list[PriceLine] = []
    total = Decimal(0)
    time_charge = Decimal(0)
    deposits: list[CostRule] = []

    def add(rule: CostRule | None, description: str, amount: Decimal) -> Decimal:
        amount = quantize_money(amount)
        lines.append(PriceLine(rule.pk if rule else None, description, amount))
        return amount

    if included_minutes:
        add(None, f"Included in your plan: {_fmt_hours(_hours(included_minutes))}", ZERO)
    rate_rule = next((r for r in ordered if r.kind in RATE_KINDS), None)
    if rate_rule is None:
        time_charge = add(
            None,
            f"Hourly rate: {_fmt_hours(billable_hours)} × {equipment.hourly_rate}",
            billable_hours * equipment.hourly_rate,
        )
        total += time_charge
    for rule in ordered:
        kind = rule.kind
        if kind in RATE_KINDS:
            if rule is not rate_rule:
                continue
            if kind == CostRule.Kind.HOURLY_RATE:
                amount, detail = billable_hours * rule.amount, f"{_fmt_hours(billable_hours)} × {rule.amount}"
            else:
                amount, detail = _tiered(rule, billable_hours)
            time_charge = add(rule, f"{rule.name}: {detail}", amount)
            total += time_charge
        elif kind == CostRule.Kind.FLAT_FEE:
            total += add(rule, rule.name, rule.amount)
        elif kind == CostRule.Kind.TIME_MULTIPLIER:
            inside = minutes_inside(rule, starts_at=starts_at, ends_at=ends_at, tz=tz)
            if inside and minutes and time_charge:
                share = Decimal(inside) / Decimal(minutes)
                total += add(
                    rule,
                    f"{rule.name}: ×{rule.percent / HUNDRED} on {inside} min",
                    time_charge * share * (rule.percent - HUNDRED) / HUNDRED,
                )
        elif kind == CostRule.Kind.PLAN_DISCOUNT:
            if plan_id is not None and (rule.plan_id is None or rule.plan_id == plan_id) and total > 0:
                total += add(rule, f"{rule.name}: −{rule.percent}%", -(total * rule.percent / HUNDRED))
        elif kind == CostRule.Kind.SKILL_PREMIUM:
            if getattr(rule, "machine_requires_skill", None) or rule.skill_id in required_skill_ids:
                total += add(rule, rule.name, rule.amount)
        elif kind == CostRule.Kind.MINIMUM_CHARGE:
            if total < rule.amount:
                total += add(rule, f"{rule.name} ({rule.amount})", rule.amount - total)
        elif kind == CostRule.Kind.DEPOSIT:
            deposits.append(rule)
    if promo is not None and total > 0:
        if promo.kind == PromoCode.Kind.PERCENT:
            discount = total * min(promo.value, HUNDRED) / HUNDRED
        else:
            discount = min(promo.value, total)
        total += add(None, f"Promo code {promo.code}", -discount)
    total = max(quantize_money(total), ZERO)
    deposit = Decimal(0)
    for rule in deposits:
        deposit += quantize_money(rule.amount if rule.amount is not None else total * rule.percent / HUNDRED)
    if max([total, deposit, *(abs(line.amount) for line in lines)]) >= MAX_AMOUNT:
        raise ValidationError("The price is beyond what can be stored; check the rules' amounts.")
    return Quote(
        total=total,
        deposit=quantize_money(deposit),
        currency=equipment.currency,
        lines=lines,
        billable_minutes=billable_minutes,
        included_minutes=included_minutes,
    )


def _version_key(makerspace_id: int) -> str:
    return f"makerspace:pricing:version:{makerspace_id}"


def _rules_key(makerspace_id: int, version: str) -> str:
    return f"makerspace:pricing:rules:{makerspace_id}:{version}"


def pricing_cache_clear(makerspace_id: int) -> None:
    """Forget the makerspace's cached rules: the next price reads them afresh.

    Every rule write calls it (the services; signals for writes that bypass them). The version is bumped now,
    so the writer's own transaction prices with its change, and again after commit, so a price computed by
    another request while the write was still uncommitted (and cached under the new version) is dropped.
    """

    def bump() -> None:
        try:
            cache.set(_version_key(makerspace_id), uuid.uuid4().hex, timeout=None)
        except Exception:  # noqa: BLE001 - the cache is down: the snapshot's timeout bounds what stays stale
            logger.warning("could not clear the pricing cache of makerspace %s", makerspace_id, exc_info=True)

    bump()
    transaction.on_commit(bump)


def _space_rules_load(makerspace_id: int) -> tuple[list[CostRule], dict[int, frozenset[int]]]:
    """The active rules of a makerspace by priority, and for each skill a skill premium names, the machines
    that require it."""
    rules = list(CostRule.objects.filter(makerspace_id=makerspace_id, active=True).order_by("priority", "id"))
    premium_skills = {r.skill_id for r in rules if r.kind == CostRule.Kind.SKILL_PREMIUM and r.skill_id}
    requiring: dict[int, set[int]] = {}
    if premium_skills:
        pairs = Equipment.required_skills.through.objects.filter(skill_id__in=premium_skills)
        for equipment_id, skill_id in pairs.values_list("equipment_id", "skill_id"):
            requiring.setdefault(skill_id, set()).add(equipment_id)
    return rules, {skill_id: frozenset(ids) for skill_id, ids in requiring.items()}


def space_rules(makerspace_id: int) -> tuple[list[CostRule], dict[int, frozenset[int]]]:
    """``_space_rules_load`` through the cache, keyed by the makerspace's pricing version (no query on a hit)."""
    try:
        version = cache.get(_version_key(makerspace_id))
        if version is None:
            version = uuid.uuid4().hex
            if not cache.add(_version_key(makerspace_id), version, timeout=None):
                version = cache.get(_version_key(makerspace_id)) or version
        cached = cache.get(_rules_key(makerspace_id, version))
    except Exception:  # noqa: BLE001 - without the cache, prices still come from the database
        logger.warning("pricing cache unavailable", exc_info=True)
        return _space_rules_load(makerspace_id)
    if cached is not None:
        return cached
    loaded = _space_rules_load(makerspace_id)
    try:
        cache.set(_rules_key(makerspace_id, version), loaded, timeout=RULES_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("pricing cache unavailable", exc_info=True)
    return loaded


def rules_for(equipment: Equipment) -> list[CostRule]:
    """The active rules of the machine's makerspace that apply to it, each knowing whether the machine
    requires its skill (``machine_requires_skill``): from the cache, else two queries at most."""
    rules, requiring = space_rules(equipment.makerspace_id)
    applying = []
    for rule in rules:
        if rule.equipment_id not in (None, equipment.pk):
            continue
        if rule.equipment_type not in ("", equipment.equipment_type):
            continue
        rule.machine_requires_skill = equipment.pk in requiring.get(rule.skill_id, ())
        applying.append(rule)
    return applying


# --- rules ------------------------------------------------------------------------------------------

RULE_FIELDS = (
    "name",
    "kind",
    "priority",
    "active",
    "equipment",
    "equipment_type",
    "amount",
    "percent",
    "tiers",
    "weekdays",
    "start_time",
    "end_time",
    "plan",
    "skill",
)
NEEDS_AMOUNT = {
    CostRule.Kind.FLAT_FEE,
    CostRule.Kind.HOURLY_RATE,
    CostRule.Kind.SKILL_PREMIUM,
    CostRule.Kind.MINIMUM_CHARGE,
}
NEEDS_PERCENT = {CostRule.Kind.TIME_MULTIPLIER, CostRule.Kind.PLAN_DISCOUNT}


def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError(message, errors={name: [message]})


def _check_tiers(tiers) -> list[dict]:
    if not isinstance(tiers, list) or not tiers:
        raise _invalid("tiers", "tiers: a non-empty list of {up_to_hours, rate}.")
    clean, last = [], Decimal(0)
    for index, tier in enumerate(tiers):
        if not isinstance(tier, dict) or set(tier) - {"up_to_hours", "rate"} or "rate" not in tier:
            raise _invalid("tiers", f"Tier {index + 1}: {{up_to_hours, rate}} only.")
        try:
            rate = Decimal(str(tier["rate"]))
            cap = tier.get("up_to_hours")
            cap = None if cap is None else Decimal(str(cap))
        except (InvalidOperation, ValueError, TypeError):
            raise _invalid("tiers", f"Tier {index + 1}: numbers only.") from None
        if not rate.is_finite() or rate < 0 or rate > Decimal("1e8"):
            raise _invalid("tiers", f"Tier {index + 1}: rate must be between 0 and 100000000.")
        if cap is not None and (not cap.is_finite() or cap <= last or cap > 10000):
            raise _invalid("tiers", f"Tier {index + 1}: up_to_hours must grow and stay under 10000.")
        if cap is None and index != len(tiers) - 1:
            raise _invalid("tiers", "Only the last tier may be open-ended (up_to_hours null).")
        clean.append({"up_to_hours": None if cap is None else str(cap), "rate": str(rate)})
        last = cap if cap is not None else last
    return clean


def _check_rule(rule: CostRule) -> None:
    if rule.kind not in CostRule.Kind.values:
        raise _invalid("kind", f"kind must be one of: {', '.join(CostRule.Kind.values)}.")
    if rule.kind in NEEDS_AMOUNT and rule.amount is None:
        raise _invalid("amount", f"A {rule.kind} rule needs an amount.")
    if rule.kind in NEEDS_PERCENT and rule.percent is None:
        raise _invalid("percent", f"A {rule.kind} rule needs a percent.")
    if rule.kind == CostRule.Kind.PLAN_DISCOUNT and rule.percent is not None and rule.percent > HUNDRED:
        raise _invalid("percent", "A discount is at most 100%.")
    if rule.kind == CostRule.Kind.DEPOSIT and (rule.amount is None) == (rule.percent is None):
        raise _invalid("amount", "A deposit is either a fixed amount or a percent.")
    if rule.kind == CostRule.Kind.SKILL_PREMIUM and rule.skill_id is None:
        raise _invalid("skill", "A skill premium names a skill.")
    if rule.kind == CostRule.Kind.TIERED_HOURS:
        rule.tiers = _check_tiers(rule.tiers)
    if not isinstance(rule.weekdays, list) or any(not isinstance(d, int) or not 0 <= d <= 6 for d in rule.weekdays):
        raise _invalid("weekdays", "weekdays: a list of 0 (Monday) … 6 (Sunday).")
    rule.weekdays = sorted(set(rule.weekdays))
    if rule.equipment_type and rule.equipment_type not in Equipment.Type.values:
        raise _invalid("equipment_type", f"equipment_type must be one of: {', '.join(Equipment.Type.values)}.")
    for name in ("equipment", "plan", "skill"):
        related = getattr(rule, name)
        if related is not None and related.makerspace_id != rule.makerspace_id:
            raise _invalid(name, f"That {name} belongs to another makerspace.")


@transaction.atomic
def cost_rule_create(*, makerspace, actor, **fields) -> CostRule:
    """A new cost rule of the makerspace (managers)."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    rule = CostRule(makerspace=makerspace, **fields)
    _check_rule(rule)
    rule.save()
    pricing_cache_clear(makerspace.pk)
    return rule


@transaction.atomic
def cost_rule_update(*, rule: CostRule, actor, **fields) -> CostRule:
    """Edit a rule (managers); bookings already made keep the price they were made at."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=rule.makerspace_id)
    rule = CostRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(rule, name, value)
    _check_rule(rule)
    rule.save()
    pricing_cache_clear(rule.makerspace_id)
    return rule


@transaction.atomic
def cost_rule_delete(*, rule: CostRule, actor) -> None:
    """Delete a rule (managers); prices already stored on reservations stay."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=rule.makerspace_id)
    CostRule.objects.filter(pk=rule.pk).delete()
    pricing_cache_clear(rule.makerspace_id)


# --- promo codes -----------------------------------------------------------------------------------


@transaction.atomic
def promo_code_create(*, makerspace, actor, code: str, kind: str, value: Decimal, **fields) -> PromoCode:
    """A new promo code of the makerspace (managers); codes are unique per makerspace, case-insensitively."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    code = code.strip().upper()
    if not code or len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum():
        raise _invalid("code", "A code is 1–40 letters, digits, - or _.")
    if kind not in PromoCode.Kind.values:
        raise _invalid("kind", "kind: percent or fixed.")
    if value <= 0 or (kind == PromoCode.Kind.PERCENT and value > HUNDRED):
        raise _invalid("value", "value must be positive (a percentage at most 100).")
    unknown = set(fields) - {"valid_from", "valid_until", "max_redemptions", "active"}
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if fields.get("valid_from") and fields.get("valid_until") and fields["valid_until"] <= fields["valid_from"]:
        raise _invalid("valid_until", "valid_until must be after valid_from.")
    if PromoCode.objects.filter(makerspace=makerspace, code=code).exists():
        raise ConflictError(f"Code {code} already exists here.", code="duplicate")
    return PromoCode.objects.create(makerspace=makerspace, code=code, kind=kind, value=value, **fields)


def promo_code_find(*, makerspace_id: int, code: str, now: datetime | None = None) -> PromoCode:
    """The usable code (400 unknown; 409 ``promo_invalid`` outside its window, ``promo_exhausted`` when used up)."""
    now = now or timezone.now()
    promo = PromoCode.objects.filter(makerspace_id=makerspace_id, code=code.strip().upper()).first()
    if promo is None:
        raise _invalid("promo_code", "Unknown promo code.")
    if (
        not promo.active
        or (promo.valid_from and now < promo.valid_from)
        or (promo.valid_until and now >= promo.valid_until)
    ):
        raise ConflictError(f"Promo code {promo.code} is not valid now.", code="promo_invalid")
    if promo.max_redemptions is not None and promo.redemptions >= promo.max_redemptions:
        raise ConflictError(f"Promo code {promo.code} has been used up.", code="promo_exhausted")
    return promo


def promo_code_redeem(*, promo: PromoCode) -> None:
    """Count one redemption inside the caller's transaction: one conditional UPDATE, never past the maximum."""
    updated = (
        PromoCode.objects.filter(pk=promo.pk)
        .filter(Q(max_redemptions__isnull=True) | Q(redemptions__lt=F("max_redemptions")))
        .update(redemptions=F("redemptions") + 1)
    )
    if not updated:
        raise ConflictError(f"Promo code {promo.code} has been used up.", code="promo_exhausted")


@transaction.atomic
def promo_code_update(*, promo: PromoCode, actor, **fields) -> PromoCode:
    """Switch a code on or off or move its end (managers); its terms stay as redeemed."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=promo.makerspace_id)
    promo = PromoCode.objects.select_for_update().get(pk=promo.pk)
    for name, value in fields.items():
        if name not in ("valid_until", "active"):
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(promo, name, value)
    if promo.valid_from and promo.valid_until and promo.valid_until <= promo.valid_from:
        raise _invalid("valid_until", "valid_until must be after valid_from.")
    promo.save()
    return promo
