"""Bridge selectors, one module per domain."""
