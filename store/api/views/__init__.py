"""Store API views, one module per domain (same names as the serializers, services and selectors)."""
