"""Store API request/response shapes, one module per domain (same names as the views)."""
