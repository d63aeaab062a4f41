"""factory_boy factories for store models (shared by catalog, cart, checkout and payment tests)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from makrx.payments.models import Payment, WebhookEvent
from store.models import (
    Brand,
    Cart,
    CartItem,
    Category,
    Collection,
    CollectionProduct,
    Coupon,
    Material,
    Order,
    OrderEvent,
    OrderLine,
    Process,
    Product,
    Quote,
    ReorderLine,
    ReorderList,
    Review,
    ServiceCapability,
    ServiceOrder,
    StockLevel,
    Tag,
    Upload,
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
    """A platform payment (makrx.Payment) of a store order."""

    class Meta:
        model = Payment
        exclude = ("order",)

    order = factory.SubFactory(OrderFactory)
    purpose = "store.order"
    reference = factory.LazyAttribute(lambda o: o.order.number)
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


class ReorderListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReorderList

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Reorder list {n}")


class ReorderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReorderLine

    reorder_list = factory.SubFactory(ReorderListFactory)
    sku = factory.Sequence(lambda n: f"MX-SKU-R{n:05d}")
    quantity = 1


class CouponFactory(factory.django.DjangoModelFactory):
    """``CouponFactory(code="SAVE10", value=Decimal("10"))``: 10 % off, one use per customer, no total limit."""

    class Meta:
        model = Coupon
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CODE{n:04d}")
    kind = Coupon.Kind.PERCENT
    value = Decimal("10.00")

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.products.set(extracted)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    user = factory.SubFactory(UserFactory)
    rating = 4
    title = "Works"
    body = "As described."


CUBE_STL = (
    "solid cube\n"
    + "".join(
        f"facet normal 0 0 0\nouter loop\nvertex {a}\nvertex {b}\nvertex {c}\nendloop\nendfacet\n"
        for a, b, c in [("0 0 0", "0 1 0", "1 1 0"), ("0 0 0", "1 1 0", "1 0 0")]
    )
    + "endsolid cube\n"
)


class UploadFactory(factory.django.DjangoModelFactory):
    """A measured 20 mm cube (the geometry is given, not measured: the file is a stand-in)."""

    class Meta:
        model = Upload

    user = factory.SubFactory(UserFactory)
    kind = Upload.Kind.STL
    status = Upload.Status.READY
    file = factory.LazyFunction(lambda: ContentFile(CUBE_STL.encode(), name="cube.stl"))
    original_name = "cube.stl"
    size_bytes = len(CUBE_STL)
    sha256 = "0" * 64
    geometry = factory.LazyFunction(
        lambda: {
            "type": "mesh",
            "volume_mm3": 8000.0,
            "area_mm2": 2400.0,
            "bbox_mm": [20.0, 20.0, 20.0],
            "triangles": 12,
            "watertight": True,
        }
    )


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material
        django_get_or_create = ("slug",)

    slug = "pla"
    name = "PLA"
    process = Process.PRINT_3D
    density_g_cm3 = Decimal("1.24")
    price_per_kg = Decimal("1800.00")
    colours = factory.LazyFunction(lambda: ["black", "white"])


class LaserMaterialFactory(MaterialFactory):
    slug = "acrylic"
    name = "Acrylic"
    process = Process.LASER_CUT
    density_g_cm3 = None
    price_per_kg = None
    price_per_sheet = Decimal("900.00")
    sheet_width_mm = 600
    sheet_height_mm = 400
    thicknesses_mm = factory.LazyFunction(lambda: [3, 5])
    cut_speeds_mm_s = factory.LazyFunction(lambda: {"3": 15, "5": 8})
    engrave_speed_mm_s = Decimal("200")
    colours = factory.LazyFunction(list)


class ServiceCapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCapability

    makerspace_ref = 1
    makerspace_name = "Space One"
    name = "Printer"
    process = Process.PRINT_3D
    bed_x_mm = 250
    bed_y_mm = 210
    bed_z_mm = 220


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    upload = factory.SubFactory(UploadFactory)
    user = factory.LazyAttribute(lambda o: o.upload.user)
    process = Process.PRINT_3D
    material = factory.SubFactory(MaterialFactory)
    quantity = 1
    subtotal = Decimal("100.00")
    tax_rate = Decimal("18.00")
    tax = Decimal("18.00")
    total = Decimal("118.00")
    lead_time_days = 3
    valid_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    machine_fits = True


class ServiceOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceOrder

    quote = factory.SubFactory(QuoteFactory)
    user = factory.LazyAttribute(lambda o: o.quote.user)
    order = factory.LazyAttribute(lambda o: OrderFactory(user=o.user, total=o.quote.total))
    status = ServiceOrder.Status.PAYMENT_PENDING
    delivery = ServiceOrder.Delivery.PICKUP
    pickup_makerspace_ref = 1
    title = "3D printing: cube.stl x 1 (PLA)"


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
