"""Review API: a product's published reviews (public), a buyer's review, and staff moderation."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.pagination import StandardPagination
from makrx.api.permissions import IsStoreStaff
from makrx.errors import NotFound
from store.api.schema import TRANSITION, error_doc
from store.api.serializers import reviews as s
from store.models import Review
from store.selectors import catalog as catalog_selectors
from store.selectors import reviews as selectors
from store.services import reviews as services

REVIEW_TAGS = ["store reviews"]


def _product(lookup: str):
    product = catalog_selectors.product_get(lookup=lookup)
    if product is None:
        raise NotFound("No such product.", code="product_not_found")
    return product


class ProductReviewListApi(GenericAPIView):
    """A product's published reviews (anyone); a buyer's review (signed in, one per product, starts pending)."""

    permission_classes = [AllowAny]
    pagination_class = StandardPagination
    serializer_class = s.ReviewSerializer

    def get_queryset(self):
        return Review.objects.none()  # schema only: the list comes from the selector

    @extend_schema(tags=REVIEW_TAGS, responses=s.ReviewSerializer(many=True))
    def get(self, request, lookup: str):
        page = self.paginate_queryset(selectors.review_list_published(product=_product(lookup)))
        return self.get_paginated_response(s.ReviewSerializer(page, many=True).data)

    @extend_schema(
        tags=REVIEW_TAGS,
        request=s.ReviewInputSerializer,
        responses={
            201: s.ReviewSerializer,
            403: error_doc("not_verified_purchase: no paid order of yours contains this product."),
            409: error_doc("review_exists"),
        },
    )
    def post(self, request, lookup: str):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        serializer = s.ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_create(actor=request.user, product=_product(lookup), **serializer.validated_data)
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewListApi(GenericAPIView):
    """Store staff: every review (``?status=pending`` is the moderation queue). Customers: their own."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    serializer_class = s.ReviewModerationSerializer

    def get_queryset(self):
        return Review.objects.none()  # schema only

    @extend_schema(
        tags=REVIEW_TAGS, parameters=[s.ReviewListQuerySerializer], responses=s.ReviewModerationSerializer(many=True)
    )
    def get(self, request):
        query = s.ReviewListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = selectors.review_list(user=request.user, status=query.validated_data.get("status"))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ReviewModerationSerializer(page, many=True).data)


class ReviewPublishApi(APIView):
    """Store staff: publish a pending review (the product's rating updates in the same transaction)."""

    permission_classes = [IsStoreStaff]
    http_method_names = ["post", "options"]
    service = staticmethod(services.review_publish)

    @extend_schema(
        tags=REVIEW_TAGS,
        request=s.ReviewActionSerializer,
        responses={200: s.ReviewModerationSerializer, 404: error_doc("review_not_found"), 409: TRANSITION},
    )
    def post(self, request, id: int):
        serializer = s.ReviewActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = selectors.review_get(review_id=id, user=request.user)
        self.service(actor=request.user, review=review, note=serializer.validated_data["note"])
        return Response(s.ReviewModerationSerializer(selectors.review_get(review_id=id, user=request.user)).data)


class ReviewRejectApi(ReviewPublishApi):
    """Store staff: reject a pending review or take a published one down."""

    service = staticmethod(services.review_reject)
