"""Wallet: credits and charges with their ledger, paying a reservation from the wallet, hostile input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from makerspace.models import BillableRecord, Invoice, Wallet, WalletEntry
from makerspace.services import invoices as invoice_services
from makerspace.services import wallet as wallet_services
from makerspace.tests import factories as f
from makrx.auth.scoping import SYSTEM

pytestmark = pytest.mark.django_db
D = Decimal
PAY = "/api/v1/makerspace/wallet/reservation-payments/"


@pytest.fixture
def member(client_for):
    member = f.MemberFactory()
    member.client = client_for(user=member.user)
    return member


def test_database_refuses_a_negative_balance(member):
    wallet_services.wallet_credit(member=member, amount="10", kind="top_up", actor=SYSTEM)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(member=member).update(balance=D("-0.01"))


def test_member_pays_a_booking_from_the_wallet_and_the_monthly_run_skips_it(member):
    machine = f.EquipmentFactory(makerspace=member.makerspace)
    start = timezone.now() + timedelta(days=1)
    booking = f.ReservationFactory(
        equipment=machine,
        member=member,
        user=member.user,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        price=D("200.00"),
    )
    short = member.client.post(PAY, {"reservation": booking.pk}, format="json")
    assert short.status_code == 409 and short.json()["code"] == "insufficient_credit"
    assert Invoice.objects.count() == 0 and BillableRecord.objects.count() == 0  # nothing half-written
    wallet_services.wallet_credit(member=member, amount="300", kind="top_up", actor=SYSTEM)
    paid = member.client.post(PAY, {"reservation": booking.pk}, format="json")
    assert paid.status_code == 201, paid.json()
    body = paid.json()
    assert (body["status"], body["total"], body["lines"][0]["record"] is not None) == ("paid", "236.00", True)
    assert Wallet.objects.get(member=member).balance == D("64.00")
    again = member.client.post(PAY, {"reservation": booking.pk}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_invoiced"
    assert invoice_services.invoices_draft_monthly(now=timezone.now() + timedelta(days=40)) == 0
    other = f.MemberFactory(makerspace=member.makerspace)
    later = start + timedelta(days=2)
    stranger_booking = f.ReservationFactory(
        equipment=machine,
        member=other,
        user=other.user,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        price=D("10"),
    )
    assert member.client.post(PAY, {"reservation": stranger_booking.pk}, format="json").status_code == 403


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1e400"])
def test_bad_amounts_write_nothing(member, amount):
    from makrx.errors import ValidationError

    with pytest.raises(ValidationError):
        wallet_services.wallet_charge(member=member, amount=amount, actor=SYSTEM)
    assert WalletEntry.objects.count() == 0


def test_a_payment_credits_a_wallet_once(member):
    first = wallet_services.wallet_credit(member=member, amount="50", kind="top_up", actor=SYSTEM, payment_id=77)
    second = wallet_services.wallet_credit(member=member, amount="50", kind="top_up", actor=SYSTEM, payment_id=77)
    assert first.pk == second.pk and Wallet.objects.get(member=member).balance == D("50.00")
