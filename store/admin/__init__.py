"""Store admin screens, one module per domain; importing them registers the screens."""

from store.admin import cart, catalog, orders, payments, quotes, service_orders, stock, uploads  # noqa: F401
