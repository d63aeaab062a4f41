"""Reviews: a verified buyer's one review per product, staff moderation, and the product's rating kept on its row."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone

from makrx.errors import ConflictError, InvalidTransition, NotFound, PermissionDenied, ValidationError
from makrx.money import quantize_money
from makrx.notifications import notify
from store.models import Order, OrderLine, Product, Review
from store.services import actor_user, require_store_staff

R = Review.Status
PURCHASED_STATUSES = (Order.Status.PAID, Order.Status.FULFILLED)
MAX_BODY = 5000
# Moderation moves: pending is decided once; a published review can still be taken down.
MODERATION = {(R.PENDING, R.PUBLISHED), (R.PENDING, R.REJECTED), (R.PUBLISHED, R.REJECTED)}


def review_purchase_order(*, user, product: Product) -> Order | None:
    """The caller's latest paid (or fulfilled) order containing ``product``, if any."""
    line = (
        OrderLine.objects.filter(product=product, order__user=user, order__status__in=PURCHASED_STATUSES)
        .select_related("order")
        .order_by("-order__created_at", "-order_id")
        .first()
    )
    return line.order if line else None


def product_rating_refresh(*, product_id: int) -> Product:
    """Recompute a product's rating from its published reviews under the product's row lock.

    Recomputing (instead of adding a delta) under the lock makes concurrent moderations and creations agree:
    each sees every review committed before it took the lock. Must run inside a transaction.
    """
    product = Product.objects.select_for_update().defer("search_vector").get(pk=product_id)
    figures = Review.objects.filter(product_id=product_id, status=R.PUBLISHED).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    product.rating_count = figures["count"]
    product.rating_average = quantize_money(Decimal(str(figures["average"] or 0)))
    # save() (not update()) so the catalog cache is invalidated by the catalog signal like any product write.
    product.save(update_fields=["rating_average", "rating_count", "updated_at"])
    return product


@transaction.atomic
def review_create(*, actor, product: Product, rating: int, title: str = "", body: str = "") -> Review:
    """A signed-in customer's review of a product they bought (a paid order containing it): 403
    ``not_verified_purchase`` otherwise, 409 ``review_exists`` for a second one. Starts ``pending``."""
    user = actor_user(actor)
    if user is None:
        raise PermissionDenied("Sign in to review a product.", code="not_authenticated")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationError("The rating is a whole number from 1 to 5.", errors={"rating": ["From 1 to 5."]})
    if len(title) > 200 or len(body) > MAX_BODY:
        raise ValidationError("The review is too long.", errors={"body": [f"At most {MAX_BODY} characters."]})
    order = review_purchase_order(user=user, product=product)
    if order is None:
        raise PermissionDenied(
            "Only customers with a paid order of this product can review it.", code="not_verified_purchase"
        )
    if Review.objects.filter(product=product, user=user).exists():
        raise ConflictError("You have already reviewed this product.", code="review_exists")
    try:
        with transaction.atomic():  # the unique constraint decides a double submit the check above missed
            review = Review.objects.create(
                product=product, user=user, order=order, rating=rating, title=title.strip(), body=body.strip()
            )
    except IntegrityError as exc:
        raise ConflictError("You have already reviewed this product.", code="review_exists") from exc
    return review


def _review_lock(review_id: int) -> Review:
    review = Review.objects.select_for_update().filter(pk=review_id).first()
    if review is None:
        raise NotFound("No such review.", code="review_not_found")
    return review


@transaction.atomic
def review_moderate(*, actor, review: Review, status: str, note: str = "") -> Review:
    """Store staff publish or reject a review (``pending -> published|rejected``, ``published -> rejected``);
    any other move is 409 ``invalid_transition``. The product's rating is recomputed in the same transaction."""
    require_store_staff(actor, action="moderate reviews")
    if len(note) > 500:
        raise ValidationError("The note is too long.", errors={"note": ["At most 500 characters."]})
    review = _review_lock(review.pk)
    if (review.status, status) not in MODERATION:
        raise InvalidTransition(f"A {review.status} review cannot become {status}.")
    counted_before = review.status == R.PUBLISHED
    review.status = status
    review.moderated_by = actor_user(actor)
    review.moderated_at = timezone.now()
    review.moderation_note = note
    review.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_note", "updated_at"])
    if counted_before or status == R.PUBLISHED:
        product_rating_refresh(product_id=review.product_id)
    product = Product.objects.filter(pk=review.product_id).values_list("name", flat=True).first()
    notify(
        review.user_id,
        "review.published" if status == R.PUBLISHED else "review.rejected",
        {"product": product, "rating": review.rating, "note": note},
    )
    return review


def review_publish(*, actor, review: Review, note: str = "") -> Review:
    return review_moderate(actor=actor, review=review, status=R.PUBLISHED, note=note)


def review_reject(*, actor, review: Review, note: str = "") -> Review:
    return review_moderate(actor=actor, review=review, status=R.REJECTED, note=note)
