"""Template context shared by admin overrides and emails."""

from django.conf import settings


def platform(request):
    return {
        "KEYCLOAK_CONFIGURED": settings.KEYCLOAK_CONFIGURED,
        "MAKRX_ENVIRONMENT": settings.ENVIRONMENT,
    }
