"""/api/v1/auth/ routes."""

urlpatterns: list = []
