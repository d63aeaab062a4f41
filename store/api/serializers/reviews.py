"""Review request/response shapes (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers

from makrx.api import fields
from store.services.reviews import MAX_BODY


class ReviewInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_BODY)


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id")
    author = serializers.SerializerMethodField()
    rating = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    status = serializers.CharField(help_text="pending, published or rejected.")
    verified_purchase = serializers.SerializerMethodField(help_text="Always true: only buyers may review.")
    created_at = fields.DateTimeField()
    moderated_at = fields.DateTimeField(allow_null=True)

    def get_author(self, review) -> str:
        user = review.user
        return user.first_name or user.username

    def get_verified_purchase(self, review) -> bool:
        return True


class ReviewModerationSerializer(ReviewSerializer):
    product_slug = serializers.CharField(source="product.slug")
    moderation_note = serializers.CharField()


class ReviewActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReviewListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["pending", "published", "rejected"], required=False)
