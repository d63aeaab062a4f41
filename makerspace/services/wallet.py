"""Credit wallets: credits (top-ups, refunds) and charges as guarded updates, each with its ledger row.

The balance changes only through ``UPDATE … SET balance = balance ± x WHERE … balance >= x RETURNING balance``:
one statement that locks the row, so concurrent charges queue on it and the guard sees the latest balance; a
charge that would go below zero changes nothing and answers 409 ``insufficient_credit`` (the database check
``wallet_balance_not_negative`` is the backstop). The ledger row written in the same transaction carries the
balance after it, so the balance always equals the sum of the ledger.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from makerspace.models import Member, Wallet, WalletEntry
from makerspace.selectors import space_settings as space_settings_selectors
from makrx.auth import roles, scoping
from makrx.errors import ConflictError, PermissionDenied, ValidationError
from makrx.money import quantize_money

Kind = WalletEntry.Kind


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def wallet_get_or_create(*, member: Member) -> Wallet:
    """The member's wallet, created empty in the makerspace's currency on first use (safe under races)."""
    wallet = Wallet.objects.filter(member_id=member.pk).first()
    if wallet is not None:
        return wallet
    currency = space_settings_selectors.space_settings_for(makerspace_id=member.makerspace_id).currency
    Wallet.objects.bulk_create(
        [Wallet(member_id=member.pk, makerspace_id=member.makerspace_id, currency=currency)], ignore_conflicts=True
    )
    return Wallet.objects.get(member_id=member.pk)


def _amount(amount) -> Decimal:
    try:
        value = quantize_money(Decimal(amount))
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationError("Not an amount.", errors={"amount": ["Not an amount."]}) from None
    if value <= 0:
        raise ValidationError("The amount must be positive.", errors={"amount": ["Must be greater than 0."]})
    return value


def _apply(*, wallet: Wallet, delta: Decimal, guard: Decimal) -> Decimal | None:
    table = connection.ops.quote_name(Wallet._meta.db_table)
    # Only the table name (model metadata) is interpolated; every value is a bound parameter.
    sql = (
        f"UPDATE {table} SET balance = balance + %s, updated_at = %s WHERE id = %s AND balance >= %s RETURNING balance"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [delta, timezone.now(), wallet.pk, guard])
        row = cursor.fetchone()
    return None if row is None else quantize_money(Decimal(str(row[0])))  # SQLite answers a float


@transaction.atomic
def wallet_credit(
    *,
    member: Member,
    amount,
    kind: str,
    actor,
    description: str = "",
    reference: str = "",
    payment_id: int | None = None,
) -> WalletEntry:
    """Add credit (a top-up, a refund to the wallet, a staff adjustment); no permission check (callers check).

    With ``payment_id`` it is idempotent: a payment credits its wallet once (``wallet_entry_one_per_payment``).
    """
    amount = _amount(amount)
    if kind == Kind.CHARGE:
        raise ValidationError("A charge is not a credit.")
    if payment_id is not None:
        existing = WalletEntry.objects.filter(payment_id=payment_id).first()
        if existing is not None:
            return existing
    wallet = wallet_get_or_create(member=member)
    balance = _apply(wallet=wallet, delta=amount, guard=Decimal("0"))
    try:
        with transaction.atomic():
            return WalletEntry.objects.create(
                wallet=wallet,
                kind=kind,
                amount=amount,
                balance_after=balance,
                description=description[:300],
                reference=reference[:200],
                payment_id=payment_id,
                actor=_actor_user(actor),
                created_at=timezone.now(),
            )
    except IntegrityError:
        if payment_id is None:
            raise
        # The same payment credited concurrently: undo this credit, the first one stands.
        _apply(wallet=wallet, delta=-amount, guard=amount)
        return WalletEntry.objects.get(payment_id=payment_id)


@transaction.atomic
def wallet_charge(*, member: Member, amount, actor, description: str = "", reference: str = "") -> WalletEntry:
    """Take credit from the member's wallet; 409 ``insufficient_credit`` (and nothing written) when short.

    No permission check here: the paying services (invoices, reservations) decide who may spend it.
    """
    amount = _amount(amount)
    wallet = wallet_get_or_create(member=member)
    balance = _apply(wallet=wallet, delta=-amount, guard=amount)
    if balance is None:
        raise ConflictError(
            f"The wallet holds less than {amount} {wallet.currency}.",
            code="insufficient_credit",
        )
    return WalletEntry.objects.create(
        wallet=wallet,
        kind=Kind.CHARGE,
        amount=-amount,
        balance_after=balance,
        description=description[:300],
        reference=reference[:200],
        actor=_actor_user(actor),
        created_at=timezone.now(),
    )


def wallet_member_for(*, actor, makerspace_id: int, member: Member | None = None) -> Member:
    """Whose wallet a request means: ``member`` (staff of its makerspace, or its own user), else the actor's own."""
    if member is not None:
        if member.user_id != getattr(actor, "pk", None):
            scoping.makerspace_staff_require(user=actor, makerspace_id=member.makerspace_id)
        return member
    found = Member.objects.filter(user_id=getattr(actor, "pk", None), makerspace_id=makerspace_id).first()
    if found is None and roles.is_platform_admin(actor):
        raise ValidationError("Name the member whose wallet you mean.", errors={"member": ["Required."]})
    if found is None:
        raise PermissionDenied("You are not a member of this makerspace.", code=scoping.NOT_MEMBER)
    return found


@transaction.atomic
def wallet_adjust(*, actor, member: Member, amount, reason: str) -> WalletEntry:
    """Staff credit (positive) or debit (negative) a wallet by hand, with a reason (admin, offline top-ups)."""
    scoping.makerspace_staff_require(user=actor, makerspace_id=member.makerspace_id)
    if not reason.strip():
        raise ValidationError("Say why.", errors={"reason": ["Required."]})
    value = quantize_money(Decimal(amount))
    if value > 0:
        return wallet_credit(member=member, amount=value, kind=Kind.ADJUSTMENT, actor=actor, description=reason)
    entry = wallet_charge(member=member, amount=-value, actor=actor, description=reason)
    WalletEntry.objects.filter(pk=entry.pk).update(kind=Kind.ADJUSTMENT)
    entry.kind = Kind.ADJUSTMENT
    return entry
