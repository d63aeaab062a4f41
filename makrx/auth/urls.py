"""/api/v1/auth/ routes."""

from django.urls import path

from makrx.auth.views import AuthMeApi

urlpatterns = [
    path("me", AuthMeApi.as_view(), name="auth-me"),
]
