"""Materials and quotes API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.pagination import StandardPagination
from makrx.errors import NotFound, ValidationError
from makrx.idempotency import idempotent
from makrx.ratelimit import rate_limit
from store.api.schema import CART_TOKEN, IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, cart_token, error_doc
from store.api.serializers import quotes as s
from store.api.views.uploads import SERVICE_TAGS
from store.models import Material
from store.selectors import quotes as selectors
from store.selectors import uploads as upload_selectors
from store.services import quotes as services


class MaterialListApi(GenericAPIView):
    """Materials the store quotes for; ``?process=print_3d|laser_cut``."""

    permission_classes = [AllowAny]
    pagination_class = StandardPagination
    serializer_class = s.MaterialSerializer

    def get_queryset(self):
        return Material.objects.none()

    @extend_schema(tags=SERVICE_TAGS, parameters=[s.MaterialQuerySerializer], responses=s.MaterialSerializer(many=True))
    def get(self, request):
        query = s.MaterialQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.material_list(process=query.validated_data.get("process")))
        return self.get_paginated_response(s.MaterialSerializer(page, many=True).data)


def quote_create_response(request) -> Response:
    """Shared by the v1 path and its alias: parse, find the caller's upload and the material, price, render."""
    user = request.user if request.user.is_authenticated else None
    token = cart_token(request)
    owner = f"user:{user.pk}" if user else f"cart:{token or '-'}"

    def handler() -> Response:
        serializer = s.QuoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            upload = upload_selectors.upload_get(upload_id=data["upload"], user=request.user, cart_token=token)
            material = services.material_for_quote(material_id=data["material"])
        except NotFound as exc:
            field = "upload" if exc.code == "upload_not_found" else "material"
            raise ValidationError(exc.detail, code=exc.code, errors={field: [exc.detail]}) from exc
        quote = services.quote_create(
            actor=request.user,
            cart=upload.cart,
            upload=upload,
            process=data["process"],
            material=material,
            quantity=data["quantity"],
            options=data["options"],
        )
        return Response(s.QuoteSerializer(quote).data, status=status.HTTP_201_CREATED)

    return idempotent(request, scope="store.quote", owner=owner, handler=handler)


QUOTE_SCHEMA = extend_schema(
    tags=SERVICE_TAGS,
    parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
    request=s.QuoteInputSerializer,
    responses={
        201: s.QuoteSerializer,
        409: error_doc(f"upload_not_ready (processing or failed), {IDEMPOTENCY_CONFLICT}."),
    },
)


class QuoteCreateApi(APIView):
    """Price an upload: ``{upload, process, material, quantity, options}`` → an immutable quote (7 days)."""

    permission_classes = [AllowAny]

    @QUOTE_SCHEMA
    @rate_limit("quotes", key="user_or_ip")
    def post(self, request):
        return quote_create_response(request)


class QuoteDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=SERVICE_TAGS, parameters=[CART_TOKEN], responses=s.QuoteSerializer)
    def get(self, request, id: int):  # noqa: A002 - the path parameter's public name
        quote = selectors.quote_get(quote_id=id, user=request.user, cart_token=cart_token(request))
        return Response(s.QuoteSerializer(quote).data)
