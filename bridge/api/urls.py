"""Bridge receiver routes under /api/v1/bridge/ (the status receiver's wire paths are in ``wire_urls``)."""

from django.urls import path

from bridge.api.views import receivers

urlpatterns = [
    path("jobs", receivers.BridgeJobCreateApi.as_view(), name="bridge-jobs"),
    path("jobs/<str:external_order_id>/cancel", receivers.BridgeJobCancelApi.as_view(), name="bridge-job-cancel"),
    path(
        "jobs/<str:job_id>/status",
        receivers.job_status_view("bridge_v1_jobs_status").as_view(),
        name="bridge-v1-job-status",
    ),
    path("reorder-lists", receivers.BridgeReorderListApi.as_view(), name="bridge-reorder-lists"),
    path("carts", receivers.BridgeCartApi.as_view(), name="bridge-carts"),
]
