"""Reads for design uploads: who may see which upload."""

from __future__ import annotations

from django.db.models import QuerySet

from makrx.errors import NotFound
from store.models import Upload
from store.selectors.cart import owned_by_caller


def upload_visible(*, user, cart_token: str | None) -> QuerySet[Upload]:
    """Store staff see every upload; customers their own; a guest those of the cart whose token they hold."""
    queryset = Upload.objects.select_related("cart")
    return owned_by_caller(queryset, user=user, cart_token=cart_token)


def upload_list(*, user, cart_token: str | None = None) -> QuerySet[Upload]:
    return upload_visible(user=user, cart_token=cart_token).order_by("-created_at", "-id")


def upload_get(*, upload_id: int, user, cart_token: str | None = None) -> Upload:
    upload = upload_visible(user=user, cart_token=cart_token).filter(pk=upload_id).first()
    if upload is None:
        raise NotFound("No such upload.", code="upload_not_found")
    return upload
