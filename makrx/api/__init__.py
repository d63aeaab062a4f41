"""API conventions shared by every app: errors, pagination, permissions, schema, health."""
