"""Request and response shapes of the bridge receivers: the wire contract's serializers (``bridge.wire``)."""

from bridge.wire import (
    BomCartSerializer,
    JobCreatedSerializer,
    JobCreateSerializer,
    JobStatusSerializer,
    ReorderListSerializer,
    StatusReceivedSerializer,
    SupplyReceivedSerializer,
)

__all__ = [
    "BomCartSerializer",
    "JobCreateSerializer",
    "JobCreatedSerializer",
    "JobStatusSerializer",
    "ReorderListSerializer",
    "StatusReceivedSerializer",
    "SupplyReceivedSerializer",
]
