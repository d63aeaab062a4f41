"""Store writes, one module per domain (catalog, stock; cart, checkout, orders, payments)."""
