"""The earlier store front's contract (DESIGN.md §5.3): every field its pages read, with its type, as data, and
the helpers the ``test_legacy_*`` tests share (seeded catalog, session ids, the checkout body)."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal, InvalidOperation

from django.core.management import call_command

# Types: "str", "int", "bool", "money" (a JSON number or a numeric string), "dict", a trailing "?" allows null;
# a dict is a nested object, a one-item list a list of that.
CATEGORY_REF = {"id": "int", "name": "str", "slug": "str"}
PRODUCT = {
    "id": "int",
    "slug": "str",
    "name": "str",
    "description": "str",
    "short_description": "str",
    "brand": "str?",
    "sku": "str",
    "category": CATEGORY_REF,
    "price": "money",
    "sale_price": "money?",
    "effective_price": "money",
    "currency": "str",
    "stock_qty": "int",
    "in_stock": "bool",
    "images": ["str"],
    "tags": ["str"],
    "attributes": "dict",
    "specifications": "dict",
    "rating": "dict",
}
PRODUCT_PAGE = {"products": [PRODUCT], "total": "int", "page": "int", "per_page": "int", "pages": "int"}
CATEGORY_NODE = {
    "id": "int",
    "name": "str",
    "slug": "str",
    "path": "str",
    "description": "str",
    "image_url": "str?",
    "product_count": "int",
    "children": "list",
}
CART = {
    "cart": {"id": "int", "user_id": "int?", "session_id": "str?", "status": "str", "created_at": "str"},
    "items": [
        {
            "id": "int",
            "product": {
                "id": "int",
                "name": "str",
                "slug": "str",
                "featured_image": "str?",
                "current_price": "money",
                "in_stock": "bool",
            },
            "quantity": "int",
            "price_at_time": "money",
            "item_total": "money",
        }
    ],
    "summary": {"total_amount": "money", "total_items": "int", "currency": "str"},
}
MESSAGE = {"message": "str"}
CHECKOUT = {
    "order_id": "int",
    "order_number": "str",
    "status": "str",
    "total": "money",
    "currency": "str",
    "payment_intent": "str?",
}
ORDER = {
    "id": "int",
    "order_number": "str",
    "status": "str",
    "currency": "str",
    "subtotal": "money",
    "tax_amount": "money",
    "shipping_amount": "money",
    "discount_amount": "money",
    "total": "money",
    "payment_status": "str",
    "addresses": {"billing": "dict", "shipping": "dict"},
    "items": [
        {
            "product_id": "int?",
            "quantity": "int",
            "unit_price": "money",
            "total_price": "money",
            "product_name": "str",
            "product_sku": "str",
        }
    ],
    "created_at": "str",
    "shipped_at": "str?",
    "tracking_number": "str?",
}
ORDER_LIST = {"orders": [ORDER], "total": "int", "page": "int", "per_page": "int", "pages": "int"}
LEGACY_STATUSES = {"pending", "processing", "shipped", "delivered", "cancelled", "refunded"}


def _is_money(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        try:
            Decimal(value)
        except InvalidOperation:
            return False
        return value.strip() == value and value != ""
    return False


SCALARS = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "money": _is_money,
    "dict": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
}


def assert_shape(value, spec, where: str = "$") -> None:
    """Fail naming the first field that is missing or of the wrong type."""
    if isinstance(spec, dict):
        assert isinstance(value, dict), f"{where}: expected an object, got {value!r}"
        for key, child in spec.items():
            assert key in value, f"{where}.{key} is missing"
            assert_shape(value[key], child, f"{where}.{key}")
    elif isinstance(spec, list):
        assert isinstance(value, list), f"{where}: expected a list, got {value!r}"
        for index, item in enumerate(value):
            assert_shape(item, spec[0], f"{where}[{index}]")
    else:
        nullable = spec.endswith("?")
        if value is None:
            assert nullable, f"{where} is null"
            return
        assert SCALARS[spec.rstrip("?")](value), f"{where}: {value!r} is not {spec}"


def seed_store() -> None:
    """The store's sample catalog (``manage.py seed``)."""
    call_command("seed", only=["store"], stdout=io.StringIO())


def new_session_id() -> str:
    return f"session_{uuid.uuid4().hex}"


ADDRESS = {
    "name": "Asha Rao",
    "line1": "12 MG Road",
    "line2": "Flat 4",
    "city": "Pune",
    "state": "MH",
    "postal_code": "411001",
    "country": "IN",
    "phone": "+919999999999",
}


def checkout_body(**overrides) -> dict:
    body = {
        "shipping_address": ADDRESS,
        "billing_address": ADDRESS,
        "shipping_method": "standard",
        "payment_method": "stripe",
        "coupon_code": "",
        "notes": "Leave at the door",
        "email": "asha@example.test",
    }
    body.update(overrides)
    return body
