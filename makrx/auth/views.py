"""Identity views: `GET /api/v1/auth/me` and the rate-limited admin login and OIDC entry points."""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import SuspiciousOperation
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.auth import roles
from makrx.auth.selectors import user_memberships_list
from makrx.auth.serializers import MeOutputSerializer
from makrx.errors import RateLimited, ServiceUnavailable
from makrx.ratelimit import rate_limit, rate_limit_check

RATE_LIMIT_GROUP = "auth"
logger = logging.getLogger("makrx.auth")


class AuthMeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="auth_me", responses={200: MeOutputSerializer}, tags=["auth"])
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "roles": sorted(roles.user_roles(user)),
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
            "memberships": user_memberships_list(user=user),
        }
        return Response(MeOutputSerializer(data).data)


@never_cache
def admin_login(request, extra_context=None):
    """The admin login page; password attempts (POST) count against the "auth" rate limit."""
    if request.method == "POST":
        try:
            rate_limit_check(request, RATE_LIMIT_GROUP)
        except (RateLimited, ServiceUnavailable) as exc:
            from makrx.api.errors import error_response

            return error_response(exc.status_code, exc.detail, exc.code, headers=exc.headers)
    return admin.site.login(request, extra_context)


class RateLimitedOIDCAuthenticateView(OIDCAuthenticationRequestView):
    """Starts the Keycloak login (authorization code + PKCE), rate limited per client IP."""

    @rate_limit(RATE_LIMIT_GROUP)
    def get(self, request):
        return super().get(request)


class RateLimitedOIDCCallbackView(OIDCAuthenticationCallbackView):
    """Keycloak redirects back here; each attempt costs a token exchange, so it is rate limited.

    A failed exchange (replayed code, unknown state, Keycloak unreachable) sends the browser
    back to the login page with a message instead of an error page.
    """

    @property
    def failure_url(self):
        return getattr(settings, "LOGIN_REDIRECT_URL_FAILURE", None) or settings.LOGIN_URL

    def login_failure(self):
        messages.error(self.request, "Signing in with Keycloak did not succeed; please try again.")
        return super().login_failure()

    @rate_limit(RATE_LIMIT_GROUP)
    def get(self, request):
        try:
            return super().get(request)
        except (requests.RequestException, SuspiciousOperation, ValueError) as exc:
            logger.warning("admin SSO callback failed: %s", exc)
            self.request = request
            return self.login_failure()
