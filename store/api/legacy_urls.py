"""Alias paths the earlier store service's single-page app calls (under /api/)."""

urlpatterns: list = []
