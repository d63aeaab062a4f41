"""Store reads, one module per domain."""
