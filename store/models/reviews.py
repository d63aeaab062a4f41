"""Product reviews: one per customer per product, from a verified purchase, published after moderation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel


class Review(TimeStampedModel):
    """``pending -> published | rejected``; a published review may be taken down (``rejected``).

    Only published reviews count in ``Product.rating_average``/``rating_count`` (recomputed under the product's
    row lock whenever a review's status changes).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending moderation"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    product = models.ForeignKey("store.Product", on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_reviews")
    order = models.ForeignKey(
        "store.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="The purchase."
    )
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "user"], name="store_review_one_per_customer"),
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="store_review_rating_1_5"),
        ]
        indexes = [models.Index(fields=["product", "status", "-created_at"], name="store_review_product_idx")]

    def __str__(self) -> str:
        return f"{self.rating}* {self.product_id} by {self.user_id}"
