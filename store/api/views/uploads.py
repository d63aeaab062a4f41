"""Upload API: design files for maker services (multipart), checked by content and measured."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.parsers import StrictJSONParser
from makrx.errors import PayloadTooLarge, ValidationError
from makrx.ratelimit import rate_limit
from store.api.schema import CART_TOKEN, CART_TOKEN_HEADER, cart_token, error_doc
from store.api.serializers import uploads as s
from store.models import Upload
from store.selectors import uploads as selectors
from store.services import cart as cart_services
from store.services import uploads as services

SERVICE_TAGS = ["store maker services"]
MULTIPART_OVERHEAD = 64 * 1024


class UploadCreateApi(APIView):
    """Upload a design file (multipart ``file``). Small files answer 201 measured; larger ones 202 ``processing``
    (poll ``GET …/uploads/{id}/``). Anonymous uploads belong to the cart of ``X-Cart-Token`` (returned)."""

    permission_classes = [AllowAny]
    # JSON too, so a body without a file answers 400 naming the field rather than 415 for the body's type.
    parser_classes = [MultiPartParser, FormParser, StrictJSONParser]

    @extend_schema(
        tags=SERVICE_TAGS,
        parameters=[CART_TOKEN],
        request={"multipart/form-data": s.UploadInputSerializer},
        responses={
            201: s.UploadSerializer,
            202: s.UploadSerializer,
            413: error_doc("too_large: over UPLOAD_MAX_MB."),
            415: error_doc("unsupported_file: not STL/3MF/OBJ/DXF/SVG by content, or content and name disagree."),
        },
    )
    @rate_limit("uploads", key="user_or_ip")
    def post(self, request):
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > services.upload_max_bytes() + MULTIPART_OVERHEAD:
            raise PayloadTooLarge("The file is larger than the upload limit.", code="too_large")
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise ValidationError("Send the design file as multipart field 'file'.", errors={"file": ["Required."]})
        signed_in = request.user.is_authenticated
        cart = None if signed_in else cart_services.cart_resolve(user=request.user, token=cart_token(request))
        upload = services.upload_create(actor=request.user, cart=cart, uploaded=uploaded)
        code = status.HTTP_202_ACCEPTED if upload.status == Upload.Status.PROCESSING else status.HTTP_201_CREATED
        response = Response(s.UploadSerializer(upload).data, status=code)
        if cart is not None:
            response[CART_TOKEN_HEADER] = cart.token
        return response


class UploadDetailApi(APIView):
    """One upload with its status and geometry: the owner, store staff, or the guest holding its cart token."""

    permission_classes = [AllowAny]

    @extend_schema(tags=SERVICE_TAGS, parameters=[CART_TOKEN], responses=s.UploadSerializer)
    def get(self, request, id: int):  # noqa: A002 - the path parameter's public name
        upload = selectors.upload_get(upload_id=id, user=request.user, cart_token=cart_token(request))
        return Response(s.UploadSerializer(upload).data)


class UploadPresignApi(APIView):
    """Direct-to-storage upload, step 1 (only with S3 storage; else 503 ``direct_upload_unavailable``): a
    presigned PUT URL for a generated name. Step 2: ``POST …/uploads/{id}/complete/``."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=SERVICE_TAGS,
        parameters=[CART_TOKEN],
        request=s.UploadPresignInputSerializer,
        responses={
            201: s.UploadPresignSerializer,
            413: error_doc("too_large: over UPLOAD_MAX_MB."),
            415: error_doc("unsupported_file: not .stl/.3mf/.obj/.dxf/.svg."),
            503: error_doc("direct_upload_unavailable: S3 storage is not configured."),
        },
    )
    @rate_limit("uploads", key="user_or_ip")
    def post(self, request):
        serializer = s.UploadPresignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.require_direct_uploads()
        signed_in = request.user.is_authenticated
        cart = None if signed_in else cart_services.cart_resolve(user=request.user, token=cart_token(request))
        upload, url = services.upload_presign(
            actor=request.user,
            cart=cart,
            name=serializer.validated_data["filename"],
            size=serializer.validated_data["size"],
        )
        data = {"upload": upload, "url": url, "method": "PUT", "expires_in": services.PRESIGN_EXPIRES_SECONDS}
        response = Response(s.UploadPresignSerializer(data).data, status=status.HTTP_201_CREATED)
        if cart is not None:
            response[CART_TOKEN_HEADER] = cart.token
        return response


class UploadCompleteApi(APIView):
    """Direct-to-storage upload, step 2: check the stored object by content and measure it (201 or 202)."""

    permission_classes = [AllowAny]
    http_method_names = ["post", "options"]

    @extend_schema(
        tags=SERVICE_TAGS,
        parameters=[CART_TOKEN],
        request=None,
        responses={
            201: s.UploadSerializer,
            202: s.UploadSerializer,
            409: error_doc("invalid_transition (not awaiting its file) or file_missing (nothing uploaded yet)."),
            413: error_doc("too_large"),
            415: error_doc("unsupported_file"),
            503: error_doc("direct_upload_unavailable: S3 storage is not configured."),
        },
    )
    def post(self, request, id: int):  # noqa: A002 - the path parameter's public name
        upload = selectors.upload_get(upload_id=id, user=request.user, cart_token=cart_token(request))
        upload = services.upload_complete(upload=upload)
        code = status.HTTP_202_ACCEPTED if upload.status == Upload.Status.PROCESSING else status.HTTP_201_CREATED
        return Response(s.UploadSerializer(upload).data, status=code)
