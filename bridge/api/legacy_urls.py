"""Alias paths of the earlier bridge wire contract (mounted under /api/ and at the root)."""

urlpatterns: list = []
