"""Request and response shapes of the bridge receivers: the wire contract's serializers (``bridge.wire``)."""

from bridge.wire import (
    BomCartSerializer,
    JobCancelledSerializer,
    JobCancelSerializer,
    JobCreatedSerializer,
    JobCreateSerializer,
    JobStatusSerializer,
    ReorderListSerializer,
    StatusReceivedSerializer,
    SupplyReceivedSerializer,
)

__all__ = [
    "BomCartSerializer",
    "JobCancelSerializer",
    "JobCancelledSerializer",
    "JobCreateSerializer",
    "JobCreatedSerializer",
    "JobStatusSerializer",
    "ReorderListSerializer",
    "StatusReceivedSerializer",
    "SupplyReceivedSerializer",
]
