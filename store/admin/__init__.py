"""Store admin screens, one module per domain; importing them registers the screens."""

from store.admin import (  # noqa: F401
    bom,
    cart,
    catalog,
    coupons,
    orders,
    payments,
    quotes,
    reorder,
    reviews,
    service_orders,
    stock,
    uploads,
)
