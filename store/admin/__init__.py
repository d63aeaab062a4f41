"""Store admin screens, one module per domain; importing them registers the screens."""

from store.admin import bom, cart, catalog, orders, payments, stock  # noqa: F401
