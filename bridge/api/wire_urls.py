"""The wire contract's store-side status paths (DESIGN.md §7), mounted at the root: with and without /api."""

from django.urls import path

from bridge.api.views import receivers

urlpatterns = [
    path(
        "api/bridge/jobs/<str:job_id>/status",
        receivers.job_status_view("bridge_jobs_status").as_view(),
        name="bridge-job-status",
    ),
    path(
        "bridge/jobs/<str:job_id>/status",
        receivers.job_status_view("bridge_jobs_status_no_prefix").as_view(),
        name="bridge-job-status-no-prefix",
    ),
]
