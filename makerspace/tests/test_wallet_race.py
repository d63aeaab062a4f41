"""Wallet races on PostgreSQL: 20 concurrent charges never take the balance below zero; balance = ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from makerspace.models import Wallet, WalletEntry
from makerspace.services import wallet as wallet_services
from makerspace.tests import factories as f
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError
from makrx.tests.races import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def test_twenty_concurrent_charges_never_go_negative_and_balance_equals_ledger():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    member = f.MemberFactory()
    wallet_services.wallet_credit(member=member, amount="250.00", kind="top_up", actor=SYSTEM)

    outcomes = run_concurrently(
        lambda i: wallet_services.wallet_charge(member=member, amount="30.00", actor=SYSTEM, description=f"#{i}"), 20
    )

    charged = [outcome for outcome in outcomes if isinstance(outcome, WalletEntry)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ConflictError)]
    assert (len(charged), len(refused)) == (8, 12)
    assert {error.code for error in refused} == {"insufficient_credit"}
    wallet = Wallet.objects.get(member=member)
    assert wallet.balance == D("10.00")
    assert WalletEntry.objects.filter(wallet=wallet).aggregate(total=Sum("amount"))["total"] == wallet.balance
    assert sorted(entry.balance_after for entry in charged) == [D("10.00") + 30 * n for n in range(8)]
