"""Bridge models: the outbox (messages to the other side and each attempt) and the inbound deliveries log."""

from bridge.models.outbox import DeliveryAttempt, OutboxMessage
from bridge.models.receivers import InboundDelivery, ReceivedEvent

__all__ = ["DeliveryAttempt", "InboundDelivery", "OutboxMessage", "ReceivedEvent"]
