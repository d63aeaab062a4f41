"""factory_boy factories for store models (shared by catalog, cart, checkout and payment tests)."""

from __future__ import annotations

import secrets
from decimal import Decimal

import factory
from django.utils import timezone

from store.models import (
    Brand,
    Cart,
    CartItem,
    Category,
    Collection,
    CollectionProduct,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Product,
    StockLevel,
    Tag,
    WebhookEvent,
)
from store.services.catalog import product_search_refresh


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "makrx.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"shopper{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    keycloak_sub = factory.LazyAttribute(lambda o: f"sub-{o.username}")
    roles = factory.LazyFunction(list)


class CategoryFactory(factory.django.DjangoModelFactory):
    """Creates a root category, or a child with ``CategoryFactory(parent=cat)`` (treebeard needs add_child)."""

    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    active = True

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is not None:
            return model_class.objects.add_child(parent, instance=model_class(**kwargs))
        return model_class.objects.add_root(instance=model_class(**kwargs))


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    """A product with a StockLevel: ``ProductFactory(stock=10, reserved=2, tags=[tag])``."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    sku = factory.Sequence(lambda n: f"MX-SKU-{n:06d}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Part {n}")
    mpn = factory.Sequence(lambda n: f"PN-{n:05d}")
    manufacturer = "Acme Semiconductors"
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("10.00")
    active = True

    @classmethod
    def _create(cls, model_class, *args, stock=10, reserved=0, **kwargs):
        product = super()._create(model_class, *args, **kwargs)
        StockLevel.objects.create(product=product, on_hand=stock, reserved=reserved)
        product_search_refresh(product_ids=[product.pk])
        return product

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.Sequence(lambda n: f"collection-{n}")

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):
        if create and extracted:
            for position, product in enumerate(extracted):
                CollectionProduct.objects.create(collection=obj, product=product, position=position)


class CartFactory(factory.django.DjangoModelFactory):
    """A signed-in user's cart; ``CartFactory(user=None)`` gives an anonymous cart with a token."""

    class Meta:
        model = Cart

    user = factory.SubFactory(UserFactory)
    token = factory.LazyAttribute(lambda o: None if o.user else secrets.token_urlsafe(32))


class CartItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartItem

    cart = factory.SubFactory(CartFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"MX-{timezone.now().year}-{n + 1:06d}")
    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "guest@example.test")
    status = Order.Status.PENDING_PAYMENT
    subtotal = Decimal("10.00")
    tax_rate = Decimal("18.00")
    tax = Decimal("1.80")
    total = Decimal("11.80")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    sku = factory.LazyAttribute(lambda o: o.product.sku if o.product else "GONE")
    name = factory.LazyAttribute(lambda o: o.product.name if o.product else "Removed product")
    unit_price = factory.LazyAttribute(lambda o: o.product.price if o.product else Decimal("10.00"))
    quantity = 1
    line_total = factory.LazyAttribute(lambda o: o.unit_price * o.quantity)


class OrderEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderEvent

    order = factory.SubFactory(OrderFactory)
    kind = "created"
    to_status = Order.Status.PENDING_PAYMENT


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    provider = "stripe"
    provider_ref = factory.Sequence(lambda n: f"pi_test_{n:08d}")
    amount = factory.LazyAttribute(lambda o: o.order.total)
    currency = factory.LazyAttribute(lambda o: o.order.currency)


class WebhookEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEvent

    provider = "stripe"
    event_id = factory.Sequence(lambda n: f"evt_test_{n:08d}")
    type = "payment_intent.succeeded"
    signature_valid = True


def bom_import_for(*, user=None, cart=None, product=None, board_quantity: int = 1):
    """A stored BOM import with one line (mapped to ``product`` when given), as an upload would leave it."""
    from store.models import BomImport, BomLine

    bom_import = BomImport.objects.create(
        user=user,
        cart=cart,
        file_name="board.csv",
        file_format=BomImport.Format.CSV,
        file_size=20,
        file_sha256="0" * 64,
        board_quantity=board_quantity,
        columns={"mpn": "MPN", "quantity": "Qty"},
    )
    line = BomLine.objects.create(
        bom_import=bom_import,
        line=1,
        source_row=2,
        designators=["U1"],
        quantity=1,
        mpn=product.mpn if product else "UNKNOWN1",
        status=BomLine.Status.MAPPED if product else BomLine.Status.UNMATCHED,
        method=BomLine.Method.MPN if product else BomLine.Method.NONE,
        product=product,
        confidence=1.0 if product else 0.0,
    )
    from store.services.bom import bom_summary

    bom_import.summary = bom_summary(lines=[line], board_quantity=board_quantity, problems=[])
    bom_import.save(update_fields=["summary"])
    return bom_import
