"""Races: one quote ordered from several connections at once becomes exactly one service order and one store
order; the rest answer 409 ``quote_already_ordered``."""

from __future__ import annotations

import pytest

from makrx.errors import ConflictError
from makrx.tests.races import run_concurrently
from store.models import Order, ServiceOrder
from store.services.service_orders import service_order_create
from store.tests.factories import QuoteFactory, ServiceCapabilityFactory


@pytest.mark.django_db(transaction=True)
def test_one_quote_ordered_concurrently_becomes_one_order(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    quote = QuoteFactory()
    ServiceCapabilityFactory(makerspace_ref=5)
    user = quote.user

    outcomes = run_concurrently(
        lambda _index: service_order_create(actor=user, cart=None, quote=quote, delivery="pickup", pickup_makerspace=5),
        6,
    )

    winners = [outcome for outcome in outcomes if isinstance(outcome, ServiceOrder)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ConflictError)]
    assert len(winners) == 1 and len(refused) == 5, outcomes
    assert {exc.code for exc in refused} == {"quote_already_ordered"}
    assert ServiceOrder.objects.count() == 1 and Order.objects.count() == 1
