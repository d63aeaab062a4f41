"""Platform payment services with a purpose of the tests' own: start (idempotent), offline records with the
same capture step as a provider payment, refunds (limits, destinations, provider results), the registry."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import responses

from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, PermissionDenied, ServiceUnavailable, ValidationError
from makrx.payments import register_purpose
from makrx.payments.models import Payment, Refund
from makrx.payments.refunds import refund_create
from makrx.payments.registry import _purposes
from makrx.payments.services import payment_record_offline, payment_start
from makrx.tests import payment_providers as providers

pytestmark = pytest.mark.django_db

PURPOSE = "test.thing"


@pytest.fixture(autouse=True)
def configured(settings):
    providers.configure(settings)


@pytest.fixture
def thing():
    """A purpose whose hooks record what they were called with (the app side of the contract)."""
    calls = {"captured": [], "failed": [], "refunded": []}

    def on_captured(payment, actor):
        if payment.reference == "refuse":
            raise ConflictError("Not payable.", code="not_payable")
        calls["captured"].append((payment.pk, payment.status, actor))

    register_purpose(
        PURPOSE,
        on_captured=on_captured,
        on_failed=lambda payment, actor: calls["failed"].append(payment.pk),
        on_refunded=lambda payment, refund, actor: calls["refunded"].append((refund.pk, refund.destination)),
        describe=lambda reference: f"Thing {reference}",
        refund_destinations=("original", "wallet"),
    )
    yield calls
    _purposes.pop(PURPOSE, None)


@pytest.fixture
def admin(make_user):
    return make_user("treasurer", roles=["admin"])


def _offline(actor, *, amount="100.00", method="cash", reference="T-1"):
    return payment_record_offline(
        purpose=PURPOSE, reference=reference, amount=amount, currency="INR", method=method,
        reference_text="receipt 7", actor=actor,
    )  # fmt: skip


# --- start -------------------------------------------------------------------------------------------------


def test_start_creates_one_stripe_intent_per_key(thing, admin):
    with responses.RequestsMock() as rsps:
        providers.stripe_intent(rsps, intent_id="pi_A", amount=10000)
        first = payment_start(
            purpose=PURPOSE, reference="T-1", amount=Decimal("100"), currency="inr", provider="stripe", actor=admin
        )
        again = payment_start(
            purpose=PURPOSE, reference="T-1", amount=Decimal("100.00"), currency="INR", provider="stripe", actor=admin
        )
        calls = list(rsps.calls)

    assert first.payment.pk == again.payment.pk and first.client_secret == again.client_secret
    assert len(calls) == 1
    sent = providers.form(calls[0])
    assert (sent["amount"], sent["currency"], sent["metadata[purpose]"]) == ("10000", "inr", PURPOSE)
    payment = Payment.objects.get()
    assert (payment.status, payment.provider_ref, payment.actor) == ("pending", "pi_A", admin)


def test_start_with_razorpay_creates_an_order_with_the_sdk(thing):
    with responses.RequestsMock() as rsps:
        providers.razorpay_order(rsps, order_id="order_A", amount=2360)
        started = payment_start(
            purpose=PURPOSE, reference="T-9", amount="23.60", currency="INR", provider="razorpay", actor=SYSTEM,
            idempotency_key="client-key-1",
        )  # fmt: skip
        body = json.loads(rsps.calls[0].request.body)
        auth = rsps.calls[0].request.headers["Authorization"]

    assert (body["amount"], body["currency"], body["notes"]) == (2360, "INR", {"purpose": PURPOSE, "reference": "T-9"})
    assert auth.startswith("Basic ")  # key id and secret, as the SDK sends them
    assert started.checkout == {"key": providers.RAZORPAY_KEY_ID, "order_id": "order_A", "amount": 2360,
                                "currency": "INR"}  # fmt: skip
    assert started.client_secret == "" and started.payment.provider_ref == "order_A"


def test_start_refuses_unknown_purposes_providers_and_amounts(thing):
    with pytest.raises(ValidationError) as unknown:
        payment_start(purpose="nope", reference="1", amount="1", currency="INR", provider="stripe", actor=SYSTEM)
    assert unknown.value.code == "unknown_purpose"
    with pytest.raises(ValidationError):
        payment_start(purpose=PURPOSE, reference="1", amount="1", currency="INR", provider="cash", actor=SYSTEM)
    with pytest.raises(ValidationError):
        payment_start(purpose=PURPOSE, reference="1", amount="-1", currency="INR", provider="stripe", actor=SYSTEM)
    assert not Payment.objects.exists()


def test_start_without_credentials_is_503(thing, settings):
    settings.RAZORPAY_KEY_SECRET = ""
    with pytest.raises(ServiceUnavailable) as refused:
        payment_start(purpose=PURPOSE, reference="1", amount="1", currency="INR", provider="razorpay", actor=SYSTEM)
    assert refused.value.code == "payments_unavailable" and not Payment.objects.exists()


# --- offline -----------------------------------------------------------------------------------------------


def test_offline_payment_is_captured_with_the_staff_actor_and_runs_on_captured_once(thing, admin):
    payment = _offline(admin)

    assert (payment.status, payment.provider, payment.actor, payment.offline_reference) == (
        "captured", "cash", admin, "receipt 7",
    )  # fmt: skip
    assert thing["captured"] == [(payment.pk, "captured", admin)]


def test_offline_payment_refused_by_the_purpose_writes_nothing(thing, admin):
    with pytest.raises(ConflictError):
        _offline(admin, reference="refuse")
    assert not Payment.objects.exists() and thing["captured"] == []


def test_offline_payment_needs_permission_and_a_transfer_reference(thing, make_user):
    with pytest.raises(PermissionDenied):
        _offline(make_user("someone"))
    with pytest.raises(ValidationError) as missing:
        payment_record_offline(
            purpose=PURPOSE, reference="T-1", amount="5", currency="INR", method="bank_transfer",
            reference_text="", actor=SYSTEM,
        )  # fmt: skip
    assert "reference" in missing.value.errors
    with pytest.raises(ValidationError):
        _offline(SYSTEM, method="stripe")
    assert not Payment.objects.exists()


# --- refunds -----------------------------------------------------------------------------------------------


def test_offline_refunds_partial_then_full_and_never_more(thing, admin):
    payment = _offline(admin)

    first = refund_create(payment=payment, amount="30", actor=admin, reason="broken part")
    payment.refresh_from_db()
    assert (first.status, payment.status, payment.amount_refunded) == ("succeeded", "partially_refunded", 30)
    with pytest.raises(ConflictError) as too_much:
        refund_create(payment=payment, amount="70.01", actor=admin)
    assert too_much.value.code == "refund_exceeds_paid"
    rest = refund_create(payment=payment, actor=admin)

    payment.refresh_from_db()
    assert rest.amount == Decimal("70.00") and payment.status == "refunded" and payment.amount_refunded == 100
    assert thing["refunded"] == [(first.pk, "original"), (rest.pk, "original")]
    with pytest.raises(ConflictError) as done:
        refund_create(payment=payment, amount="1", actor=admin)
    assert done.value.code == "not_refundable"


def test_wallet_refund_is_delegated_to_the_purpose(thing, admin):
    payment = _offline(admin)

    refund = refund_create(payment=payment, amount="10", actor=admin, destination="wallet")

    assert (refund.status, refund.destination) == ("succeeded", "wallet")
    assert thing["refunded"] == [(refund.pk, "wallet")]


def test_a_destination_the_purpose_does_not_take_is_refused(admin):
    register_purpose("test.original_only", on_captured=lambda payment, actor: None)
    try:
        payment = payment_record_offline(
            purpose="test.original_only", reference="1", amount="5", currency="INR", method="cash", actor=admin
        )
        with pytest.raises(ValidationError) as refused:
            refund_create(payment=payment, actor=admin, destination="wallet")
        assert refused.value.code == "refund_destination_unsupported" and not Refund.objects.exists()
    finally:
        _purposes.pop("test.original_only", None)


def _captured_stripe_payment(*, amount="23.60"):
    return Payment.objects.create(
        purpose=PURPOSE, reference="T-5", amount=Decimal(amount), currency="INR", provider="stripe",
        provider_ref="pi_paid", status="captured",
    )  # fmt: skip


def test_stripe_refund_is_sent_and_its_result_recorded(thing, admin):
    payment = _captured_stripe_payment()

    with responses.RequestsMock() as rsps:
        providers.stripe_refund(rsps, refund_id="re_1", amount=1000, intent="pi_paid")
        refund = refund_create(payment=payment, amount="10.00", actor=admin, reason="late")
        sent = providers.form(rsps.calls[0])
        key = rsps.calls[0].request.headers["Idempotency-Key"]

    assert (sent["payment_intent"], sent["amount"], sent["metadata[reference]"]) == ("pi_paid", "1000", "T-5")
    assert sent["metadata[makrx_refund]"] == str(refund.pk)
    assert key == f"makrx-refund-{refund.pk}"
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, refund.provider_ref, refund.raw["status"]) == ("succeeded", "re_1", "succeeded")
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", Decimal("10.00"))


def test_stripe_refusal_is_recorded_and_the_amount_released(thing, admin):
    payment = _captured_stripe_payment()

    with responses.RequestsMock() as rsps:
        providers.stripe_refund_error(rsps)
        refund = refund_create(payment=payment, actor=admin)

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == "failed" and "exceeds" in refund.error
    assert (payment.status, payment.amount_refunded) == ("captured", 0)
    assert thing["refunded"] == []


def test_razorpay_refund_goes_to_the_payment_id(thing, admin):
    payment = Payment.objects.create(
        purpose=PURPOSE, reference="T-6", amount=Decimal("23.60"), currency="INR", provider="razorpay",
        provider_ref="order_paid", provider_payment_ref="pay_paid", status="captured",
    )  # fmt: skip

    with responses.RequestsMock() as rsps:
        providers.razorpay_refund(rsps, payment_id="pay_paid", refund_id="rfnd_1", amount=2360, status="pending")
        refund = refund_create(payment=payment, actor=admin)
        body = json.loads(rsps.calls[0].request.body)

    assert body["amount"] == 2360
    refund.refresh_from_db()
    payment.refresh_from_db()
    # Pending until Razorpay's refund.processed webhook; the amount stays reserved meanwhile.
    assert (refund.status, refund.provider_ref, payment.amount_refunded) == ("pending", "rfnd_1", Decimal("23.60"))
    with pytest.raises(ConflictError):
        refund_create(payment=payment, amount="0.01", actor=admin)


def test_refunds_need_permission(thing, make_user, admin):
    payment = _offline(admin)
    with pytest.raises(PermissionDenied):
        refund_create(payment=payment, actor=make_user("someone"))
    assert not Refund.objects.exists()
