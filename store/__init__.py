"""The store app: catalog, cart, checkout, orders, payments, BOM import, uploads and quotes."""
