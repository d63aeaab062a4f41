"""OpenAPI pieces and request helpers the cart, checkout, order and payment views share."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

CART_TOKEN_HEADER = "X-Cart-Token"
CART_TOKEN = OpenApiParameter(
    CART_TOKEN_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Anonymous cart token (returned by the first cart call). Signed in: merges that cart into yours.",
)
ERROR = {"$ref": "#/components/schemas/Error"}  # the platform error component (makrx.api.schema)


def error_doc(description: str) -> OpenApiResponse:
    """An error answer in the platform format, for the schema."""
    return OpenApiResponse(response=ERROR, description=description)


OUT_OF_STOCK = error_doc("out_of_stock: not enough available (errors keyed by SKU).")
TRANSITION = error_doc("invalid_transition: the order's status does not allow this.")
IDEMPOTENCY_CONFLICT = "idempotency_key_reused (same key, other body) or request_in_progress"
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, description="Retry-safe writes."
)


def cart_token(request) -> str | None:
    return (request.headers.get(CART_TOKEN_HEADER) or "").strip()[:64] or None
