"""API routes of this app under /api/v1/<app>/."""

urlpatterns: list = []
