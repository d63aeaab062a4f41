"""`manage.py seed` for the store: a small real catalog, and `--store-scale N` generated products for benchmarks."""

from __future__ import annotations

import json
import random
import time
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.text import slugify

from makrx.seed import samples_wanted
from store.catalog_cache import catalog_cache_invalidate
from store.models import Brand, Category, Collection, Product, StockLevel, Tag
from store.partnumbers import normalize_mpn
from store.services import SYSTEM
from store.services import catalog as services

BATCH = 5000
SCALE_PREFIX = "BENCH"
# The sample catalogue; its "source" field names where the parts come from and under which licence.
SAMPLE_CATALOG = Path(__file__).resolve().parent / "seed_data" / "catalog.json"
# Default materials and partner machines for maker-service quotes (see its "source").
MAKER_SERVICES = Path(__file__).resolve().parent / "seed_data" / "maker_services.json"
# Sample customers, a coupon, one order in each state and a published review (the first run's store).
SAMPLE_ORDERS = Path(__file__).resolve().parent / "seed_data" / "sample_orders.json"
ORDER_NOTE = "Sample order (seed): "


@cache
def sample_catalog() -> dict:
    """The sample catalogue: ``categories``, ``brands``, ``collections``, ``products`` (see its ``source``)."""
    with SAMPLE_CATALOG.open(encoding="utf-8") as handle:
        return json.load(handle)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--store-scale",
        type=int,
        default=0,
        metavar="N",
        help="Also generate N store products over about N/100 categories (for benchmarks).",
    )


def run(*, options, stdout) -> None:
    seed_sample_catalog(stdout=stdout)
    seed_maker_services(stdout=stdout)
    if samples_wanted(options):
        seed_sample_orders(stdout=stdout)
    scale = options.get("store_scale") or 0
    if scale > 0:
        seed_scale(products=scale, stdout=stdout)


def seed_maker_services(*, stdout) -> None:
    from store.services.quotes import maker_services_seed

    with MAKER_SERVICES.open(encoding="utf-8") as handle:
        data = json.load(handle)
    materials, capabilities = maker_services_seed(actor=SYSTEM, data=data)
    stdout.write(f"store: maker services ready ({materials} materials, {capabilities} machines added)")


def _sample_customer(row: dict):
    from makrx.models import User

    user = User.objects.filter(username=row["username"]).first()
    if user is None:
        user = User.objects.create_user(
            row["username"],
            f"{row['username']}@makrx.local",
            password=None,
            first_name=row["first_name"],
            last_name=row["last_name"],
        )
    return user


def seed_sample_orders(*, stdout) -> None:
    """A coupon, one sample order in each state (made again only when no sample order is in that state any more,
    e.g. once the unpaid one expired) and a published review, all through the store's services."""
    from store.models import Coupon, Order, Review
    from store.services import cart as cart_services
    from store.services import checkout as checkout_services
    from store.services import coupons as coupon_services
    from store.services import orders as order_services
    from store.services import reviews as review_services

    with SAMPLE_ORDERS.open(encoding="utf-8") as handle:
        data = json.load(handle)
    coupon = data["coupon"]
    if not Coupon.objects.filter(code__iexact=coupon["code"]).exists():
        coupon_services.coupon_save(
            actor=SYSTEM,
            coupon=Coupon(
                code=coupon["code"],
                description=coupon["description"],
                kind=coupon["kind"],
                value=Decimal(coupon["value"]),
            ),
        )
    customers = {row["username"]: (_sample_customer(row), row["address"]) for row in data["customers"]}
    S = Order.Status
    steps = {
        S.PENDING_PAYMENT: [],
        S.PAID: [order_services.order_mark_paid],
        S.FULFILLED: [order_services.order_mark_paid, order_services.order_fulfil],
        S.CANCELLED: [lambda *, order, actor, note: order_services.order_cancel(order=order, actor=actor, reason=note)],
        S.REFUNDED: [order_services.order_mark_paid, order_services.order_refund],
    }
    orders = {}
    created = 0
    for row in data["orders"]:
        note = f"{ORDER_NOTE}{row['key']}"
        order = Order.objects.filter(notes=note, status=row["status"]).order_by("-pk").first()
        if order is None:
            user, address = customers[row["customer"]]
            cart = cart_services.cart_resolve(user=user, token=None)
            for sku, quantity in row["lines"]:
                cart_services.cart_item_add(actor=user, cart=cart, quantity=quantity, sku=sku)
            order = checkout_services.order_checkout(
                cart=cart,
                user=user,
                shipping_address=address,
                billing_address=address,
                notes=note,
                coupon_code=row.get("coupon", ""),
            )
            for step in steps[row["status"]]:
                step(order=order, actor=SYSTEM, note="sample data")
            order.refresh_from_db()
            created += 1
        orders[row["key"]] = order
    for row in data["reviews"]:
        order = orders[row["order"]]
        product = Product.objects.get(sku=row["sku"])
        if Review.objects.filter(product=product, user=order.user).exists():
            continue
        review = review_services.review_create(
            actor=order.user, product=product, rating=row["rating"], title=row["title"], body=row["body"]
        )
        review_services.review_publish(actor=SYSTEM, review=review, note="sample data")
    seed_sample_quote(row=data["upload"], user=customers[data["upload"]["customer"]][0], stdout=stdout)
    stdout.write(f"store: sample orders ready ({created} orders added)")


def box_stl(x: float, y: float, z: float) -> bytes:
    """An ASCII STL of an ``x`` × ``y`` × ``z`` mm box: 12 outward-facing triangles (watertight)."""
    corners = [(i * x, j * y, k * z) for i in (0, 1) for j in (0, 1) for k in (0, 1)]
    # Corner index = 4i + 2j + k; each face as two counter-clockwise triangles seen from outside.
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    lines = ["solid box"]
    for a, b, c, d in faces:
        for tri in ((a, b, c), (a, c, d)):
            lines.append("  facet normal 0 0 0\n    outer loop")
            lines.extend(f"      vertex {vx} {vy} {vz}" for vx, vy, vz in (corners[n] for n in tri))
            lines.append("    endloop\n  endfacet")
    lines.append("endsolid box")
    return ("\n".join(lines) + "\n").encode()


def seed_sample_quote(*, row: dict, user, stdout) -> None:
    """A customer's measured design upload and a 3D-printing quote for it (skipped when already there)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from store.models import Material, Upload
    from store.services import quotes as quote_services
    from store.services import uploads as upload_services

    if Upload.objects.filter(user=user, original_name=row["name"]).exists():
        return
    material = Material.objects.filter(process=row["process"], active=True).order_by("pk").first()
    if material is None:
        return
    upload = upload_services.upload_create(
        actor=user, cart=None, uploaded=SimpleUploadedFile(row["name"], box_stl(*row["box_mm"]), "model/stl")
    )
    if upload.status != Upload.Status.READY:  # large files are measured by a task; the sample is tiny
        stdout.write(f"store: sample upload not measured ({upload.failure_reason or upload.status})")
        return
    quote_services.quote_create(
        actor=user,
        cart=None,
        upload=upload,
        process=row["process"],
        material=material,
        quantity=row["quantity"],
        options=row["options"],
    )
    stdout.write("store: sample upload and quote added")


def seed_sample_catalog(*, stdout) -> None:
    """The ~60-part sample catalog; existing rows (by slug/SKU) are left as staff edited them."""
    catalog = sample_catalog()
    products = catalog["products"]
    categories = {c.slug: c for c in Category.objects.filter(slug__in=[row["slug"] for row in catalog["categories"]])}
    for row in catalog["categories"]:
        if row["slug"] not in categories:
            categories[row["slug"]] = services.category_create(
                actor=SYSTEM,
                name=row["name"],
                slug=row["slug"],
                parent=categories.get(row["parent"]),
                description=row["description"],
            )
    brands = {}
    for name in catalog["brands"]:
        brands[name] = Brand.objects.filter(slug=slugify(name)).first() or services.brand_save(
            actor=SYSTEM, name=name, slug=slugify(name)
        )
    tag_names = sorted({tag for product in products for tag in product["tags"]})
    tags = {}
    for name in tag_names:
        tags[name] = Tag.objects.filter(slug=slugify(name)).first() or services.tag_save(
            actor=SYSTEM, name=name, slug=slugify(name)
        )
    existing = set(Product.objects.filter(sku__in=[p["sku"] for p in products]).values_list("sku", flat=True))
    created = 0
    for row in products:
        if row["sku"] in existing:
            continue
        services.product_create(
            actor=SYSTEM,
            sku=row["sku"],
            name=row["name"],
            mpn=row["mpn"],
            manufacturer=row["manufacturer"],
            brand=brands[row["manufacturer"]],
            category=categories[row["category"]],
            description=row["description"],
            price=Decimal(row["price"]),
            attributes=row["attributes"],
            datasheet_url=row["datasheet_url"],
            tags=[tags[name] for name in row["tags"]],
            on_hand=row["stock"],
        )
        created += 1
    for row in catalog["collections"]:
        if Collection.objects.filter(slug=row["slug"]).exists():
            continue
        skus = row["products"]
        ids = dict(Product.objects.filter(sku__in=skus).values_list("sku", "id"))
        services.collection_save(
            actor=SYSTEM,
            name=row["name"],
            slug=row["slug"],
            description=row["description"],
            product_ids=[ids[sku] for sku in skus if sku in ids],
        )
    stdout.write(f"store: sample catalog ready ({created} products added)")


def seed_scale(*, products: int, stdout) -> None:
    """Generate ``products`` products (SKU ``BENCH-0000001``...) over ~products/100 categories, three levels deep.

    Bulk inserts in batches; running again with the same or a smaller N adds nothing.
    """
    started = time.monotonic()
    rng = random.Random(products)  # noqa: S311 - reproducible sample data
    leaves = _scale_categories(max(3, products // 100))
    brands = _scale_brands(50)
    tags = _scale_tags(30)
    existing = Product.objects.filter(sku__startswith=f"{SCALE_PREFIX}-").count()
    kinds = [
        # (name, words for search, part-number family prefixes)
        ("Chip resistor", "passive smd resistor", ("RC0603FR-", "0402WGF", "ERJ-3EKF")),
        ("Ceramic capacitor", "passive smd capacitor mlcc", ("CL10B", "GRM188R7", "C0805C")),
        ("Power inductor", "passive inductor power", ("SDFL2012", "LQH3NPN", "SRR1260-")),
        ("Schottky diode", "diode rectifier power", ("SS", "B5819", "PMEG")),
        ("Indicator LED", "led light indicator", ("19-217/", "LTST-C19", "KPT-")),
        ("N-channel MOSFET", "mosfet transistor switch", ("AO34", "SI23", "IRLML")),
        ("Microcontroller", "mcu arm cortex microcontroller", ("STM32F", "ATSAMD", "RP20")),
        ("Buck converter", "power regulator step-down switching", ("TPS54", "MP23", "LMR33")),
        ("LDO regulator", "power linear regulator", ("AMS1117-", "XC6206P", "AP2112K-")),
        ("CAN transceiver", "interface bus automotive", ("TJA10", "SN65HVD", "MCP25")),
        ("Op-amp", "analog amplifier", ("LM3", "OPA3", "TLV9")),
        ("Stepper driver", "motor driver stepper cnc 3d printer", ("TMC22", "DRV88", "A49")),
    ]
    for start in range(existing, products, BATCH):
        end = min(products, start + BATCH)
        batch = []
        for i in range(start, end):
            kind, words, families = kinds[i % len(kinds)]
            mpn = f"{families[(i // 12) % 3]}{(i * 7919) % 100_000:05d}{'ABCDEFGH'[i % 8]}{i % 97:02d}"
            batch.append(
                Product(
                    sku=f"{SCALE_PREFIX}-{i + 1:07d}",
                    slug=f"bench-{i + 1:07d}",
                    name=f"{kind} {mpn}",
                    mpn=mpn,
                    mpn_normalized=normalize_mpn(mpn),
                    manufacturer=brands[i % len(brands)].name,
                    brand=brands[i % len(brands)],
                    category_id=leaves[i % len(leaves)],
                    description=f"{kind} for maker projects: {words}. Generated part number {mpn}.",
                    price=Decimal(rng.randint(200, 500_000)) / 100,
                    active=i % 50 != 0,
                )
            )
        created = Product.objects.bulk_create(batch, batch_size=BATCH)
        StockLevel.objects.bulk_create(
            [StockLevel(product=p, on_hand=rng.choice((0, 5, 20, 100, 1000))) for p in created], batch_size=BATCH
        )
        through = Product.tags.through
        through.objects.bulk_create(
            [through(product_id=p.id, tag_id=tag.id) for p in created for tag in rng.sample(tags, k=2)],
            batch_size=BATCH,
        )
        stdout.write(f"store: {end}/{products} generated products")
    if existing < products:
        services.product_search_refresh(product_ids=None)
        catalog_cache_invalidate()
    stdout.write(f"store: scale seed done in {time.monotonic() - started:.1f}s")


def _scale_categories(count: int) -> list[int]:
    """A three-level tree of about ``count`` categories built with bulk inserts; returns the leaf ids."""
    if Category.objects.filter(slug="bench-root-000").exists():
        return list(
            Category.objects.filter(slug__startswith="bench-", numchild=0).order_by("path").values_list("id", flat=True)
        )
    roots = max(1, round(count ** (1 / 3)))
    mids_per_root = roots
    leaves_total = max(1, count - roots - roots * mids_per_root)
    leaves_per_mid = max(1, -(-leaves_total // (roots * mids_per_root)))
    last_root = Category.objects.get_last_root_node()
    first_root_step = (int(last_root.path[: Category.steplen], 36) + 1) if last_root else 1
    nodes = []
    for r in range(roots):
        root_path = Category._get_path(None, 1, first_root_step + r)
        nodes.append(
            Category(
                path=root_path,
                depth=1,
                numchild=mids_per_root,
                name=f"Bench {r:03d}",
                slug=f"bench-root-{r:03d}",
            )
        )
        for m in range(mids_per_root):
            mid_path = Category._get_path(root_path, 2, m + 1)
            nodes.append(
                Category(
                    path=mid_path,
                    depth=2,
                    numchild=leaves_per_mid,
                    name=f"Bench {r:03d}.{m:03d}",
                    slug=f"bench-mid-{r:03d}-{m:03d}",
                )
            )
            for leaf in range(leaves_per_mid):
                nodes.append(
                    Category(
                        path=Category._get_path(mid_path, 3, leaf + 1),
                        depth=3,
                        numchild=0,
                        name=f"Bench {r:03d}.{m:03d}.{leaf:03d}",
                        slug=f"bench-leaf-{r:03d}-{m:03d}-{leaf:03d}",
                    )
                )
    Category.objects.bulk_create(nodes, batch_size=BATCH)
    return list(Category.objects.filter(slug__startswith="bench-leaf-").order_by("path").values_list("id", flat=True))


def _scale_brands(count: int) -> list[Brand]:
    for i in range(count):
        Brand.objects.get_or_create(slug=f"bench-brand-{i:03d}", defaults={"name": f"Bench Brand {i:03d}"})
    return list(Brand.objects.filter(slug__startswith="bench-brand-").order_by("slug"))


def _scale_tags(count: int) -> list[Tag]:
    for i in range(count):
        Tag.objects.get_or_create(slug=f"bench-tag-{i:02d}", defaults={"name": f"bench tag {i:02d}"})
    return list(Tag.objects.filter(slug__startswith="bench-tag-").order_by("slug"))
