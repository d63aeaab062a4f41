"""Rate limits on the shared cache (django-ratelimit), answered as 429 with Retry-After.

Use ``@rate_limit("checkout")`` on a DRF view method (or a plain Django view), or call
``rate_limit_check(request, "checkout")`` from a view. Rates live in
``settings.RATE_LIMITS`` so operators can tune them. A *critical* limit fails closed: in
production without REDIS_URL (no shared counter) or when the cache is down, the endpoint
answers 503 rather than running unlimited.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from makrx.errors import RateLimited, ServiceUnavailable

logger = logging.getLogger("makrx.ratelimit")

DEFAULT_RATES = {
    "auth": "20/m",
    "uploads": "30/m",
    "quotes": "60/m",
    "bom_import": "20/m",
    "checkout": "20/m",
    "payments": "30/m",
    "webhooks": "600/m",
    "default": "120/m",
}


def _rate_for(group: str) -> str:
    configured = getattr(settings, "RATE_LIMITS", {}) or {}
    return configured.get(group) or DEFAULT_RATES.get(group) or DEFAULT_RATES["default"]


def client_ip_key(group, request) -> str:
    return getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR", "unknown")


def user_or_ip_key(group, request) -> str:
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return f"ip:{client_ip_key(group, request)}"


KEYS = {"ip": client_ip_key, "user_or_ip": user_or_ip_key}


def rate_limit_check(request, group: str, *, key: str = "ip", critical: bool = True) -> None:
    """Count this request against ``group``; raise RateLimited/ServiceUnavailable when refused."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    if critical and settings.IS_PRODUCTION and not settings.REDIS_URL:
        raise ServiceUnavailable(
            "Rate limiting needs the shared cache (REDIS_URL), which is not configured.",
            code="rate_limit_unavailable",
        )
    django_request = getattr(request, "_request", request)
    try:
        usage = get_usage(
            django_request,
            group=f"makrx:{group}",
            key=KEYS[key],
            rate=_rate_for(group),
            method=ALL,
            increment=True,
        )
    except Exception:  # noqa: BLE001 - any cache failure
        logger.exception("rate limit cache unavailable for %s", group)
        if critical:
            raise ServiceUnavailable("Rate limiting is unavailable; try again shortly.", code="rate_limit_unavailable")
        return
    if usage and usage["limit"] == 0 and usage["time_left"] == -1:  # the cache refused the counter
        logger.error("rate limit counter unavailable for %s", group)
        if critical:
            raise ServiceUnavailable("Rate limiting is unavailable; try again shortly.", code="rate_limit_unavailable")
        return
    if usage and usage["should_limit"]:
        raise RateLimited(retry_after=max(1, int(usage.get("time_left") or 1)))


def rate_limit(group: str, *, key: str = "ip", critical: bool = True):
    """Decorator for DRF view methods ``(self, request, ...)`` and Django views ``(request, ...)``."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            request = args[1] if len(args) > 1 and hasattr(args[1], "META") else args[0]
            try:
                rate_limit_check(request, group, key=key, critical=critical)
            except (RateLimited, ServiceUnavailable) as exc:
                if hasattr(request, "accepted_renderer") or hasattr(args[0], "get_renderers"):
                    raise
                from makrx.api.errors import error_response

                return error_response(exc.status_code, exc.detail, exc.code, headers=exc.headers)
            return func(*args, **kwargs)

        return wrapper

    return decorator
