"""Quick reorder: a customer's lists (CRUD, from an order), to-cart with short/unknown lines, suggestions in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from makrx.errors import PermissionDenied
from store.models import CartItem, Order, ReorderList
from store.selectors.reorder import reorder_suggestions
from store.tests.factories import (
    CartFactory,
    CartItemFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ReorderLineFactory,
    ReorderListFactory,
)

pytestmark = pytest.mark.django_db

LISTS = "/api/v1/store/reorder-lists/"
SUGGESTIONS = "/api/v1/store/reorder-lists/suggestions/"


def test_create_read_update_delete_own_list(client_for):
    client = client_for()
    first, second = ProductFactory(), ProductFactory()

    created = client.post(
        LISTS,
        {
            "name": "Lab consumables",
            "lines": [{"sku": first.sku, "quantity": 2}, {"sku": first.sku.lower(), "quantity": 3}],
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    list_id = created.json()["id"]
    assert created.json()["lines"] == [{"sku": first.sku, "quantity": 5}]  # the same SKU in any case is summed
    patched = client.patch(
        f"{LISTS}{list_id}/", {"name": "Weekly", "lines": [{"sku": second.sku, "quantity": 1}]}, format="json"
    )
    assert patched.status_code == 200
    assert (patched.json()["name"], patched.json()["lines"]) == ("Weekly", [{"sku": second.sku, "quantity": 1}])
    assert client.get(LISTS).json()["count"] == 1
    assert client.delete(f"{LISTS}{list_id}/").status_code == 204
    assert not ReorderList.objects.exists()


def test_a_list_from_one_of_my_orders_copies_its_lines(client_for):
    client = client_for()
    order = OrderFactory(user=client.user, status=Order.Status.FULFILLED)
    lines = [OrderLineFactory(order=order, quantity=q) for q in (4, 1)]

    response = client.post(LISTS, {"from_order": order.number}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["source_order"]) == (f"Reorder of {order.number}", order.number)
    assert body["lines"] == [{"sku": line.sku, "quantity": line.quantity} for line in lines]


def test_someone_elses_order_or_list_is_not_found(client_for):
    owner, other = client_for(), client_for()
    order = OrderFactory(user=owner.user)
    OrderLineFactory(order=order)
    reorder_list = ReorderListFactory(user=owner.user)

    response = other.post(LISTS, {"from_order": order.number}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "order_not_found")
    for method, path in [
        ("get", f"{LISTS}{reorder_list.pk}/"),
        ("patch", f"{LISTS}{reorder_list.pk}/"),
        ("delete", f"{LISTS}{reorder_list.pk}/"),
        ("post", f"{LISTS}{reorder_list.pk}/to-cart/"),
    ]:
        response = getattr(other, method)(path, {"name": "mine now"}, format="json")
        assert (response.status_code, response.json()["code"]) == (404, "reorder_list_not_found"), path
    assert other.get(LISTS).json()["count"] == 0
    assert ReorderList.objects.get().name == reorder_list.name


def test_to_cart_adds_what_is_there_and_reports_short_and_unknown_lines(client_for):
    client = client_for()
    plenty, scarce, empty, retired = (
        ProductFactory(stock=50),
        ProductFactory(stock=3),
        ProductFactory(stock=0),
        ProductFactory(active=False),
    )
    cart = CartFactory(user=client.user)
    CartItemFactory(cart=cart, product=scarce, quantity=1)  # already one in the cart: room for two more
    reorder_list = ReorderListFactory(user=client.user)
    for sku, quantity in [(plenty.sku.lower(), 10), (scarce.sku, 5), (empty.sku, 1), (retired.sku, 1), ("NOPE-1", 2)]:
        ReorderLineFactory(reorder_list=reorder_list, sku=sku, quantity=quantity)

    response = client.post(f"{LISTS}{reorder_list.pk}/to-cart/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["added"] == [{"sku": plenty.sku, "quantity": 10}]
    assert body["short"] == [
        {"sku": scarce.sku, "requested": 5, "added": 2, "available": 2, "code": "out_of_stock"},
        {"sku": empty.sku, "requested": 1, "added": 0, "available": 0, "code": "out_of_stock"},
    ]
    assert body["unknown"] == [retired.sku, "NOPE-1"]
    assert dict(CartItem.objects.filter(cart=cart).values_list("product_id", "quantity")) == {
        plenty.pk: 10,
        scarce.pk: 3,
    }
    assert body["cart"]["item_count"] == 13
    assert client.get(f"{LISTS}{reorder_list.pk}/to-cart/").status_code == 405


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "x"},
        {"lines": [{"sku": "A", "quantity": 1}]},
        {"name": "", "lines": []},
        {"name": "x" * 201, "lines": []},
        {"name": "n", "lines": [{"sku": "A", "quantity": 0}]},
        {"name": "n", "lines": [{"sku": "A", "quantity": -3}]},
        {"name": "n", "lines": [{"sku": "A", "quantity": "lots"}]},
        {"name": "n", "lines": [{"sku": "A", "quantity": 10_001}]},
        {"name": "n", "lines": [{"sku": "A" * 65, "quantity": 1}]},
        {"name": "n", "lines": [{"sku": "", "quantity": 1}]},
        {"name": "n", "lines": [{"sku": "A", "quantity": 6000}, {"sku": "a", "quantity": 6000}]},
        {"name": "n", "lines": "A,1"},
        {"name": "n", "lines": [{"sku": "A", "quantity": 1}] * 501},
        {"name": "n", "lines": [], "from_order": "MX-1"},
        {"name": ["n"], "lines": []},
    ],
)
def test_hostile_list_bodies_are_400_and_store_nothing(client_for, body):
    response = client_for().post(LISTS, body, format="json")

    assert response.status_code == 400, response.json()
    assert "request_id" in response.json()
    assert not ReorderList.objects.exists()


def test_anonymous_callers_get_401(api_client):
    assert api_client.get(LISTS).status_code == 401
    assert api_client.get(SUGGESTIONS).status_code == 401


def _history(user, product, days_ago, status=Order.Status.PAID, quantity=2):
    order = OrderFactory(user=user, status=status)
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    OrderLineFactory(order=order, product=product, quantity=quantity)


def test_suggestions_are_items_bought_at_least_twice_with_their_usual_interval(client_for):
    client = client_for()
    filament, glue, once, cancelled = (ProductFactory() for _ in range(4))
    for days in (60, 30, 0):
        _history(client.user, filament, days, quantity=3)
    for days in (20, 10):
        _history(client.user, glue, days, status=Order.Status.FULFILLED, quantity=1)
    _history(client.user, once, 5)
    for days in (40, 4):
        _history(client.user, cancelled, days, status=Order.Status.CANCELLED)
    _history(client_for().user, glue, 1)  # another customer's order

    body = client.get(SUGGESTIONS).json()

    assert body["count"] == 2
    first, second = body["results"]
    assert (first["sku"], first["order_count"], first["total_quantity"], first["usual_quantity"]) == (
        filament.sku,
        3,
        9,
        3,
    )
    assert first["interval_days"] == pytest.approx(30.0, abs=0.1)
    assert (second["sku"], second["order_count"], second["interval_days"]) == (
        glue.sku,
        2,
        pytest.approx(10.0, abs=0.1),
    )
    assert second["next_expected_at"] > second["last_ordered_at"]


def test_suggestions_are_one_query_whatever_the_history(client_for, django_assert_max_num_queries):
    client = client_for()
    for _ in range(25):
        product = ProductFactory()
        _history(client.user, product, 9)
        _history(client.user, product, 2)
    with django_assert_max_num_queries(1):
        rows = list(reorder_suggestions(user=client.user))
    assert len(rows) == 25
    with CaptureQueriesContext(connection) as small:
        client.get(SUGGESTIONS, {"page_size": 1})
    with django_assert_max_num_queries(len(small)):
        assert len(client.get(SUGGESTIONS, {"page_size": 100}).json()["results"]) == 25


def test_list_of_lists_costs_the_same_for_1_or_100(client_for, django_assert_max_num_queries):
    client = client_for()
    for _ in range(30):
        reorder_list = ReorderListFactory(user=client.user)
        ReorderLineFactory.create_batch(3, reorder_list=reorder_list)
    with CaptureQueriesContext(connection) as small:
        client.get(LISTS, {"page_size": 1})
    with django_assert_max_num_queries(len(small)):
        response = client.get(LISTS, {"page_size": 100})
    assert len(response.json()["results"]) == 30


def test_the_platform_writes_an_accounts_list_once_however_often_it_is_delivered(make_user):
    from store.services import SYSTEM
    from store.services.reorder import reorder_list_replace_for_account

    account = make_user("space-a-store")
    for quantity in (3, 7):
        reorder_list_replace_for_account(
            actor=SYSTEM, user=account, name="Low stock: Space A", lines=[{"sku": "PLA-1KG", "quantity": quantity}]
        )

    reorder_list = ReorderList.objects.get(user=account)
    assert [(line.sku, line.quantity) for line in reorder_list.lines.all()] == [("PLA-1KG", 7)]
    with pytest.raises(PermissionDenied):
        reorder_list_replace_for_account(actor=account, user=account, name="x", lines=[])


@pytest.mark.parametrize("list_id", ["99999999999999999999999", "9223372036854775808", "0"])
def test_out_of_range_ids_are_404(client_for, list_id):
    client = client_for()
    assert client.get(f"{LISTS}{list_id}/").status_code == 404
    assert client.post(f"{LISTS}{list_id}/to-cart/").status_code == 404
    staff = client_for(roles=["store_admin"])
    assert staff.post(f"/api/v1/store/reviews/{list_id}/publish/", {}, format="json").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": None},
        {"lines": [{"sku": "A"}]},
        {"lines": [{"sku": "A", "quantity": True}]},
        {"lines": {"sku": "A", "quantity": 1}},
    ],
)
def test_hostile_updates_are_400_and_change_nothing(client_for, body):
    client = client_for()
    reorder_list = ReorderListFactory(user=client.user, name="Keep")
    ReorderLineFactory(reorder_list=reorder_list, sku="KEEP-1", quantity=2)

    response = client.patch(f"{LISTS}{reorder_list.pk}/", body, format="json")

    assert response.status_code == 400, response.json()
    reorder_list.refresh_from_db()
    assert reorder_list.name == "Keep"
    assert [(line.sku, line.quantity) for line in reorder_list.lines.all()] == [("KEEP-1", 2)]
