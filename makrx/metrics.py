"""Business counters and gauges exported on /metrics (request metrics come from django-prometheus).

Apps increment counters where the event happens, e.g. ``metrics.ORDERS.labels("paid").inc()``,
and may register a gauge collector with ``register_gauge_collector`` (called at scrape time).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import Counter, Gauge

logger = logging.getLogger(__name__)

WEBHOOKS = Counter("makrx_webhooks_total", "Inbound webhooks by source and result", ["source", "result"])
ORDERS = Counter("makrx_orders_total", "Store orders by event", ["event"])
RESERVATIONS = Counter("makrx_reservations_total", "Reservations by event", ["event"])
BRIDGE_MESSAGES = Gauge(
    "makrx_bridge_messages", "Bridge outbox messages by destination and state", ["destination", "state"]
)
BRIDGE_DELIVERIES = Counter(
    "makrx_bridge_deliveries_total", "Bridge deliveries by direction, kind and result", ["direction", "kind", "result"]
)
BRIDGE_INBOX = Gauge("makrx_bridge_inbox", "Inbound status deliveries waiting for their apply, by state", ["state"])

_gauge_collectors: list[Callable[[], None]] = []


def register_gauge_collector(collector: Callable[[], None]) -> None:
    if collector not in _gauge_collectors:
        _gauge_collectors.append(collector)


def collect_gauges() -> None:
    for collector in _gauge_collectors:
        try:
            collector()
        except Exception:  # noqa: BLE001 - a broken collector must not break the scrape
            logger.exception("metrics collector failed")
