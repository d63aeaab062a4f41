"""Root URLs: admin, API v1 by app, the earlier services' alias paths, operations, docs."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from makrx import views
from makrx.api.pages import PageViewSet
from makrx.auth import views as auth_views

pages_router = DefaultRouter(trailing_slash=True)
pages_router.include_root_view = False
pages_router.register("pages", PageViewSet, basename="page")

health_patterns = [
    path("health", views.with_operation_id(views.LivenessApi, "health").as_view(), name="health"),
    path("api/health", views.with_operation_id(views.LivenessApi, "api_health").as_view(), name="api-health"),
    path("health/live", views.with_operation_id(views.LivenessApi, "health_live").as_view(), name="health-live"),
    path(
        "api/v1/health/live",
        views.with_operation_id(views.LivenessApi, "api_v1_health_live").as_view(),
        name="api-health-live",
    ),
    path("health/readyz", views.with_operation_id(views.ReadinessApi, "health_readyz").as_view(), name="health-ready"),
    path(
        "api/v1/health/readyz",
        views.with_operation_id(views.ReadinessApi, "api_v1_health_readyz").as_view(),
        name="api-health-ready",
    ),
    path("api/v1/utils/health-check", views.UtilsHealthCheckApi.as_view(), name="utils-health-check"),
    path("api/v1/private/diagnostics/server", views.DiagnosticsServerApi.as_view(), name="diagnostics-server"),
    path("api/v1/private/diagnostics/database", views.DiagnosticsDatabaseApi.as_view(), name="diagnostics-database"),
    path("metrics", views.metrics_view, name="metrics"),
]

api_v1_patterns = [
    path("auth/", include("makrx.auth.urls")),
    path("notifications/", include("makrx.notifications.urls")),
    path("payments/", include("makrx.payments.urls")),
    path("makerspace/", include("makerspace.api.urls")),
    path("store/", include("store.api.urls")),
    path("bridge/", include("bridge.api.urls")),
    path("", include(pages_router.urls)),
]

urlpatterns = [
    *health_patterns,
    path("api/v1/", include(api_v1_patterns)),
    # The bridge wire contract's store-side status paths (DESIGN.md §7), with and without /api.
    path("", include("bridge.api.wire_urls")),
    # Paths the earlier FastAPI services' single-page apps call (DESIGN.md §5).
    path("api/", include("store.api.legacy.urls")),
    path("api/schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Rate-limited identity entry points (group "auth"), matched before the library's and admin's own.
    path("oidc/authenticate/", auth_views.RateLimitedOIDCAuthenticateView.as_view(), name="oidc-authenticate"),
    path("oidc/callback/", auth_views.RateLimitedOIDCCallbackView.as_view(), name="oidc-callback"),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("admin/login/", auth_views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]

if settings.IS_DEVELOPMENT and not settings.S3_CONFIGURED:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "makrx.api.errors.json_bad_request_or_html"
handler403 = "makrx.api.errors.json_permission_denied_or_html"
handler404 = "makrx.api.errors.json_not_found_or_html"
handler500 = "makrx.api.errors.json_server_error_or_html"
