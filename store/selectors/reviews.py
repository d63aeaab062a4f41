"""Reads for reviews: a product's published reviews, and the staff moderation queue."""

from __future__ import annotations

from django.db.models import QuerySet

from makrx.auth.roles import is_store_staff
from makrx.errors import NotFound
from store.models import Review


def review_list_published(*, product) -> QuerySet[Review]:
    """A product's published reviews, newest first, with their authors (one query per page)."""
    return Review.objects.filter(product=product, status=Review.Status.PUBLISHED).select_related("user")


def review_list(*, user, status: str | None = None) -> QuerySet[Review]:
    """Store staff: every review (the moderation queue with ``status=pending``); others: their own."""
    queryset = Review.objects.select_related("user", "product")
    if not is_store_staff(user):
        queryset = queryset.filter(user=user)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def review_get(*, review_id: int, user) -> Review:
    """A review the caller may see (store staff: any; customers: their own), else 404."""
    review = review_list(user=user).filter(pk=review_id).first()
    if review is None:
        raise NotFound("No such review.", code="review_not_found")
    return review
