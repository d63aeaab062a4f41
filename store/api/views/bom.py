"""BOM import API: upload a BOM (mapped to the catalog), read it, fix a line's mapping, put it in the cart."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.pagination import StandardPagination
from makrx.api.parsers import StrictJSONParser
from makrx.errors import PayloadTooLarge
from makrx.ratelimit import rate_limit
from store.api.schema import CART_TOKEN, CART_TOKEN_HEADER, cart_token, error_doc
from store.api.serializers import bom as s
from store.models import BomImport
from store.selectors import bom as selectors
from store.services import bom as bom_services

BOM_TAGS = ["store BOM import"]
TOO_LARGE = error_doc("too_large: over STORE_BOM_MAX_FILE_MB, or an XLSX expanding past its limit.")
UNSUPPORTED = error_doc("unsupported_file: binary junk, old .xls, or not a workbook.")
BAD_FILE = error_doc("no_header, no_lines, too_many_lines, too_many_columns, empty_file, malformed_file, invalid.")
MULTIPART_OVERHEAD = 64 * 1024


def _with_token(response: Response, cart) -> Response:
    if cart is not None and cart.user_id is None and cart.token:
        response[CART_TOKEN_HEADER] = cart.token
    return response


def _caller_token(request) -> str | None:
    token = cart_token(request)
    if not request.user.is_authenticated and not token:
        raise NotAuthenticated()
    return token


def import_data(import_id: int, request) -> dict:
    bom_import = selectors.bom_import_get(import_id=import_id, user=request.user, cart_token=cart_token(request))
    return s.BomImportSerializer(bom_import).data


class BomImportCreateMixin:
    """The upload (v1 and the earlier store's alias): multipart ``file`` and ``board_quantity``."""

    parser_classes = [MultiPartParser, FormParser, StrictJSONParser]

    def create(self, request) -> Response:
        # A body over the limit is refused from its declared length, before a byte of it is parsed.
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > bom_services.bom_max_bytes() + MULTIPART_OVERHEAD:
            raise PayloadTooLarge("The file is over the BOM size limit.", code="too_large")
        serializer = s.BomImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > bom_services.bom_max_bytes():
            raise PayloadTooLarge("The file is over the BOM size limit.", code="too_large")
        bom_import = bom_services.bom_import_create(
            actor=request.user,
            cart_token=cart_token(request),
            file_name=upload.name,
            data=upload.read(bom_services.bom_max_bytes() + 1),
            board_quantity=serializer.validated_data["board_quantity"],
        )
        token = bom_import.cart.token if bom_import.cart_id and bom_import.user_id is None else cart_token(request)
        bom_import = selectors.bom_import_get(import_id=bom_import.pk, user=request.user, cart_token=token)
        return _with_token(
            Response(s.BomImportSerializer(bom_import).data, status=status.HTTP_201_CREATED), bom_import.cart
        )


CREATE_SCHEMA = extend_schema(
    tags=BOM_TAGS,
    parameters=[CART_TOKEN],
    request={"multipart/form-data": s.BomImportInputSerializer},
    responses={201: s.BomImportSerializer, 400: BAD_FILE, 413: TOO_LARGE, 415: UNSUPPORTED},
)


class BomImportListApi(BomImportCreateMixin, GenericAPIView):
    """Upload a BOM (anyone: an anonymous upload belongs to its X-Cart-Token), or list the caller's imports
    (store staff: every import)."""

    permission_classes = [AllowAny]
    pagination_class = StandardPagination
    serializer_class = s.BomImportListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BomImport.objects.none()
        return selectors.bom_import_list(user=self.request.user, cart_token=_caller_token(self.request))

    @extend_schema(tags=BOM_TAGS, parameters=[CART_TOKEN], responses=s.BomImportListSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.BomImportListSerializer(page, many=True).data)

    @CREATE_SCHEMA
    @rate_limit("bom_import", key="user_or_ip")
    def post(self, request):
        return self.create(request)


class BomImportDetailApi(APIView):
    """One import with its lines: its owner, the anonymous cart token that made it, or store staff."""

    permission_classes = [AllowAny]

    @extend_schema(tags=BOM_TAGS, parameters=[CART_TOKEN], responses=s.BomImportSerializer)
    def get(self, request, id: int):
        _caller_token(request)
        return Response(import_data(id, request))


class BomLineMapMixin:
    def map_line(self, request, *, import_id: int, line: int, product: int) -> Response:
        token = _caller_token(request)
        bom_services.bom_line_map(
            actor=request.user, cart_token=token, import_id=import_id, line_number=line, product_id=product
        )
        return Response(import_data(import_id, request))


MAP_SCHEMA = {
    "tags": BOM_TAGS,
    "parameters": [CART_TOKEN],
    "responses": {200: s.BomImportSerializer, 400: error_doc("product_not_found or invalid input.")},
}


class BomLineMapApi(BomLineMapMixin, APIView):
    """A person's choice of product for one line (manual mapping): the line becomes mapped, confidence 1."""

    permission_classes = [AllowAny]
    http_method_names = ["post", "options"]

    @extend_schema(request=s.BomLineMapInputSerializer, **MAP_SCHEMA)
    def post(self, request, id: int, line: int):
        serializer = s.BomLineMapInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.map_line(request, import_id=id, line=line, product=serializer.validated_data["product"])


class BomAddToCartApi(APIView):
    """Every mapped line × board quantity into the caller's cart, as far as stock goes; the rest reported short."""

    permission_classes = [AllowAny]
    http_method_names = ["post", "options"]

    @extend_schema(
        tags=BOM_TAGS,
        parameters=[CART_TOKEN],
        request=None,
        responses={200: s.BomAddToCartSerializer, 404: OpenApiResponse(description="bom_import_not_found")},
    )
    def post(self, request, id: int):
        token = _caller_token(request)
        bom_import, cart, result = bom_services.bom_import_add_to_cart(
            actor=request.user, cart_token=token, import_id=id
        )
        data = {
            "import_id": bom_import.pk,
            "cart": cart.pk,
            "cart_token": cart.token if cart.user_id is None else None,
            **result,
        }
        return _with_token(Response(s.BomAddToCartSerializer(data).data), cart)


class LegacyBomImportApi(BomImportCreateMixin, APIView):
    """``POST /api/bom-import/import``: the earlier store's path, answering the v1 shape (DESIGN §5.3 has none)."""

    permission_classes = [AllowAny]

    @CREATE_SCHEMA
    @rate_limit("bom_import", key="user_or_ip")
    def post(self, request):
        return self.create(request)


class LegacyBomManualMappingApi(BomLineMapMixin, APIView):
    """``POST /api/bom-import/manual-mapping`` ``{import_id, line, product}``: the v1 manual mapping."""

    permission_classes = [AllowAny]

    @extend_schema(request=s.BomManualMappingInputSerializer, **MAP_SCHEMA)
    def post(self, request):
        serializer = s.BomManualMappingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self.map_line(request, import_id=data["import_id"], line=data["line"], product=data["product"])
