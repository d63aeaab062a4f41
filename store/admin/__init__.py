"""Store admin screens, one module per domain; importing them registers the screens."""

from store.admin import cart, catalog, coupons, orders, payments, reorder, reviews, stock  # noqa: F401
