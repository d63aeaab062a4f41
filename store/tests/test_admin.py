"""Catalog admin: screens render, saves go through services, CSV import/export round-trips products."""

import pytest
import tablib
from django.test import Client

from store.models import Product, StockMovement
from store.resources import ProductResource
from store.tests.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user):
    client = Client()
    client.force_login(make_user("boss", roles=["super_admin"]))
    return client


def test_catalog_admin_screens_render(admin_client):
    product = ProductFactory(tags=[TagFactory()])
    for url in [
        "/admin/store/product/",
        "/admin/store/product/?q=part&active__exact=1&in_stock=yes",
        f"/admin/store/product/{product.pk}/change/",
        "/admin/store/product/add/",
        "/admin/store/product/import/",
        "/admin/store/product/export/",
        "/admin/store/category/",
        "/admin/store/category/add/",
        "/admin/store/brand/",
        "/admin/store/tag/",
        "/admin/store/collection/add/",
        "/admin/store/stocklevel/",
        "/admin/store/stockmovement/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_product_change_form_saves_through_the_services(admin_client, client_for):
    product = ProductFactory(sku="MX-1", stock=3, reserved=1)
    form = {
        "sku": "MX-1",
        "slug": product.slug,
        "name": "Renamed timer",
        "active": "on",
        "mpn": "ne-555",
        "manufacturer": "TI",
        "brand": product.brand_id,
        "category": product.category_id,
        "datasheet_url": "",
        "price": "20.00",
        "compare_at_price": "",
        "currency": "INR",
        "description": "",
        "attributes": "{}",
        "images": "[]",
        "on_hand": "9",
    }
    response = admin_client.post(f"/admin/store/product/{product.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    product.refresh_from_db()
    assert product.name == "Renamed timer" and product.mpn_normalized == "NE555"
    assert product.stock.on_hand == 9 and StockMovement.objects.filter(product=product, on_hand_delta=6).exists()
    found = client_for().get("/api/v1/store/products/", {"search": "renamed"}).json()["results"]
    assert [p["sku"] for p in found] == ["MX-1"]


def test_set_stock_action_refuses_below_reserved_per_product(admin_client):
    free, reserved = ProductFactory(stock=1), ProductFactory(stock=5, reserved=5)
    response = admin_client.post(
        "/admin/store/product/",
        {"action": "set_stock", "_selected_action": [free.pk, reserved.pk], "apply": "1", "on_hand": "2"},
    )
    assert response.status_code == 302
    free.stock.refresh_from_db(), reserved.stock.refresh_from_db()
    assert free.stock.on_hand == 2 and reserved.stock.on_hand == 5


def test_deactivate_action(admin_client):
    product = ProductFactory()
    admin_client.post("/admin/store/product/", {"action": "deactivate", "_selected_action": [product.pk]})
    product.refresh_from_db()
    assert not product.active


def test_csv_import_creates_and_updates_products_by_sku(client_for):
    BrandFactory(slug="ti"), CategoryFactory(slug="ics"), TagFactory(slug="smd")
    ProductFactory(sku="MX-OLD", name="Old name")
    csv = (
        "sku,name,mpn,manufacturer,brand,category,tags,price,currency,active\n"
        "MX-NEW,LM358 op-amp,LM358-DR,Texas Instruments,ti,ics,smd,6.50,inr,1\n"
        "MX-OLD,New name,,,,,,9.00,INR,1\n"
    )
    result = ProductResource().import_data(tablib.Dataset().load(csv, format="csv"), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    new = Product.objects.get(sku="MX-NEW")
    assert new.brand.slug == "ti" and new.category.slug == "ics" and [t.slug for t in new.tags.all()] == ["smd"]
    assert new.currency == "INR" and new.mpn_normalized == "LM358DR" and new.slug and new.stock.on_hand == 0
    assert Product.objects.get(sku="MX-OLD").name == "New name"
    found = client_for().get("/api/v1/store/products/", {"search": "lm358"}).json()["results"]
    assert [p["sku"] for p in found] == ["MX-NEW"]
    exported = ProductResource().export()
    assert {"sku", "on_hand", "brand", "tags"} <= set(exported.headers) and len(exported) == 2


def test_commerce_models_have_admin_screens(admin_client):
    from store.tests.factories import CartItemFactory, OrderLineFactory, PaymentFactory, WebhookEventFactory

    line = OrderLineFactory()
    payment = PaymentFactory(order=line.order)
    cart_item = CartItemFactory()
    event = WebhookEventFactory()
    for url in [
        "/admin/store/order/?q=MX",
        f"/admin/store/order/{line.order.pk}/change/",
        "/admin/store/cart/",
        f"/admin/store/cart/{cart_item.cart.pk}/change/",
        "/admin/makrx/payment/",
        f"/admin/makrx/payment/{payment.pk}/change/",
        "/admin/makrx/webhookevent/?result__exact=received",
        f"/admin/makrx/webhookevent/{event.pk}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_product_add_form_refuses_a_bad_currency_without_saving(admin_client):
    brand, category = BrandFactory(), CategoryFactory()
    form = {
        "sku": "MX-NEW", "slug": "mx-new", "name": "New", "active": "on", "mpn": "", "manufacturer": "",
        "brand": brand.pk, "category": category.pk, "datasheet_url": "", "price": "1.00", "compare_at_price": "",
        "currency": "I1", "description": "", "attributes": "{}", "images": "[]", "on_hand": "",
    }  # fmt: skip
    response = admin_client.post("/admin/store/product/add/", form)
    assert response.status_code == 200 and b"three-letter" in response.content
    assert not Product.objects.filter(sku="MX-NEW").exists()
    form["currency"] = "usd"
    assert admin_client.post("/admin/store/product/add/", form).status_code == 302
    product = Product.objects.get(sku="MX-NEW")
    assert product.currency == "USD" and product.stock.on_hand == 0
