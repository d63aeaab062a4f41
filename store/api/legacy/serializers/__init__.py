"""The earlier store front's request and response shapes, by domain (no business rules here)."""
