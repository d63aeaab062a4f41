"""/inventory/: items (members of the space see them), their append-only ledger, low stock, labels, CSV in and out.

Members record what they draw from ``basic`` items; staff do everything else. The services decide who acts.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import chain

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from makerspace.api.filters import InventoryItemFilter, StockMovementFilter
from makerspace.api.serializers import inventory as s
from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.views.base import (
    FeatureSwitched,
    MakerspaceApi,
    conflict_response,
    makerspace_from_input,
    query_params,
)
from makerspace.models import InventoryItem, StockMovement
from makerspace.selectors import inventory as inventory_selectors
from makerspace.services import inventory as inventory_services
from makerspace.services import inventory_csv as csv_services
from makerspace.services import inventory_labels as label_services
from makrx.api.parsers import StrictJSONParser
from makrx.auth import scoping
from makrx.errors import NotFound, ValidationError

TAGS = ["makerspace: inventory"]


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file type; errors still answer JSON in the platform's format."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return JSONRenderer().render(data)


class PNGRenderer(_FileRenderer):
    media_type = "image/png"
    format = "png"


class CSVRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


def _csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _plain(group: dict) -> dict:
    """A low-stock group with its decimals as strings (DRF's encoder would turn them into floats)."""

    def text(value):
        return str(value) if isinstance(value, Decimal) else value

    return {
        **{key: text(value) for key, value in group.items() if key != "items"},
        "items": [{key: text(value) for key, value in item.items()} for item in group["items"]],
    }


class ItemListCreateApi(FeatureSwitched, MakerspaceApi):
    feature = "inventory"
    serializer_class = s.ItemOutputSerializer
    filterset_class = InventoryItemFilter
    search_fields = ["sku", "name", "category", "location", "store_sku"]
    ordering_fields = ["sku", "name", "quantity", "created_at"]

    def get_queryset(self):
        return inventory_selectors.item_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.ItemOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.ItemOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=s.ItemInputSerializer,
        responses={201: s.ItemOutputSerializer, 409: conflict_response("duplicate_sku")},
    )
    def post(self, request):
        serializer = s.ItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        makerspace = makerspace_from_input(data.pop("makerspace"))
        self.feature_check(makerspace.pk)
        item = inventory_services.item_create(actor=request.user, makerspace=makerspace, **data)
        item = self.get_queryset().get(pk=item.pk)
        return Response(s.ItemOutputSerializer(item).data, status=status.HTTP_201_CREATED)


class ItemDetailApi(FeatureSwitched, MakerspaceApi):
    feature = "inventory"
    serializer_class = s.ItemOutputSerializer

    def get_queryset(self):
        return inventory_selectors.item_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.ItemOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.ItemOutputSerializer(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        request=s.ItemUpdateSerializer,
        responses={200: s.ItemOutputSerializer, 409: conflict_response("duplicate_sku")},
    )
    def patch(self, request, pk: int):
        item = self.get_object()
        serializer = s.ItemUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        item = inventory_services.item_update(actor=request.user, item=item, **serializer.validated_data)
        return Response(s.ItemOutputSerializer(self.get_queryset().get(pk=item.pk)).data)


class ItemMovementListCreateApi(FeatureSwitched, MakerspaceApi):
    feature = "inventory"
    """GET: the item's ledger (staff). POST: record a movement; ``transfer`` names ``to_item``."""

    serializer_class = s.MovementOutputSerializer
    filterset_class = StockMovementFilter

    def get_queryset(self):
        return inventory_selectors.movement_list(user=self.request.user)

    def get_object(self):
        # The list is of ledger rows; the item in the path is looked up among those the user sees.
        item = inventory_selectors.item_list(user=self.request.user).filter(pk=self.kwargs["pk"]).first()
        if item is None:
            raise NotFound("No such item.")
        return item

    @extend_schema(tags=TAGS, responses=s.MovementOutputSerializer(many=True))
    def get(self, request, pk: int):
        item = self.get_object()
        scoping.makerspace_staff_require(user=request.user, makerspace_id=item.makerspace_id)
        return self.paginated(
            inventory_selectors.movement_list(user=request.user, item=item), s.MovementOutputSerializer
        )

    @extend_schema(
        tags=TAGS,
        request=s.MovementInputSerializer,
        responses={201: s.MovementCreatedSerializer, 409: conflict_response("insufficient_stock, item_inactive")},
    )
    def post(self, request, pk: int):
        item = self.get_object()
        serializer = s.MovementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        to_item_id = data.pop("to_item", None)
        counterpart = None
        if data["kind"] == StockMovement.Kind.TRANSFER:
            if to_item_id is None:
                raise ValidationError("A transfer names its destination item.", errors={"to_item": ["Required."]})
            to_item = InventoryItem.objects.filter(pk=to_item_id).first()
            if to_item is None:
                raise ValidationError("Unknown item.", errors={"to_item": ["Unknown item."]})
            data.pop("kind")
            movement, counterpart = inventory_services.movement_transfer(
                actor=request.user, from_item=item, to_item=to_item, **data
            )
        else:
            movement = inventory_services.movement_record(actor=request.user, item=item, **data)
        body = {"quantity": movement.quantity_after, "movement": movement, "counterpart": counterpart}
        return Response(s.MovementCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class ItemLabelApi(FeatureSwitched, MakerspaceApi):
    feature = "inventory"
    renderer_classes = [JSONRenderer, PNGRenderer]

    def get_queryset(self):
        return inventory_selectors.item_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses={(200, "image/png"): OpenApiTypes.BINARY, 404: ErrorSerializer})
    def get(self, request, pk: int):
        png = label_services.item_label_png(actor=request.user, item=self.get_object())
        response = HttpResponse(png, content_type="image/png")
        response["Cache-Control"] = "private, max-age=300"
        return response


class LowStockApi(FeatureSwitched, MakerspaceApi):
    feature = "inventory"
    """Low items of the makerspaces you staff, grouped by supplier, with suggested reorder quantities."""

    pagination_class = None

    @extend_schema(tags=TAGS, parameters=[s.LowStockQuerySerializer], responses=s.LowStockOutputSerializer)
    def get(self, request):
        params = query_params(s.LowStockQuerySerializer, request)
        groups = inventory_selectors.low_stock_grouped(user=request.user, makerspace_id=params.get("makerspace"))
        # The selector's rows are the response (decimals as strings, as the schema's serializer documents them):
        # a thousand low items through nested serializers cost more than the query (bench/README.md).
        body = {"count": sum(len(group["items"]) for group in groups), "groups": [_plain(group) for group in groups]}
        return Response(body)


class QuickReorderApi(FeatureSwitched, MakerspaceApi):
    feature = "inventory"
    """What a quick reorder would put in a store cart: store-supplied low items with a store SKU (staff)."""

    pagination_class = None

    @extend_schema(tags=TAGS, parameters=[s.ReorderQuerySerializer], responses=s.ReorderOutputSerializer)
    def get(self, request):
        params = query_params(s.ReorderQuerySerializer, request)
        space = makerspace_from_input(params["makerspace"])
        scoping.makerspace_staff_require(user=request.user, makerspace_id=space.pk)
        lines = inventory_selectors.store_reorder_lines(user=request.user, makerspace_id=space.pk)
        return Response(s.ReorderOutputSerializer({"makerspace": space.pk, "lines": lines}).data)

    @extend_schema(
        tags=TAGS,
        request=s.ReorderQuerySerializer,
        responses={
            202: s.ReorderOutputSerializer,
            409: OpenApiResponse(ErrorSerializer, description="nothing_to_reorder"),
        },
        operation_id="makerspace_inventory_quick_reorder_send",
    )
    def post(self, request):
        """Send the quick reorder: these lines become your store reorder list (through the bridge)."""
        serializer = s.ReorderQuerySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        space = makerspace_from_input(serializer.validated_data["makerspace"])
        self.feature_check(space.pk)
        lines = inventory_services.quick_reorder_send(actor=request.user, makerspace=space)
        return Response(
            s.ReorderOutputSerializer({"makerspace": space.pk, "lines": lines}).data, status=status.HTTP_202_ACCEPTED
        )


class ItemImportApi(FeatureSwitched, MakerspaceApi):
    feature = "inventory"
    parser_classes = [MultiPartParser, FormParser, StrictJSONParser]
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": s.ItemImportInputSerializer},
        responses={
            200: s.ItemImportOutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="invalid_rows: errors names each bad row"),
        },
    )
    def post(self, request):
        serializer = s.ItemImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data.get("file")
        makerspace = makerspace_from_input(serializer.validated_data["makerspace"])
        self.feature_check(makerspace.pk)
        data = None if upload is None else upload.read(csv_services.MAX_BYTES + 1)
        result = csv_services.items_import_csv(actor=request.user, makerspace=makerspace, data=data)
        return Response(s.ItemImportOutputSerializer(result).data)


class ItemExportApi(FeatureSwitched, MakerspaceApi):
    feature = "inventory"
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        parameters=[s.ExportQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR, 403: ErrorSerializer},
    )
    def get(self, request):
        params = query_params(s.ExportQuerySerializer, request)
        space = makerspace_from_input(params["makerspace"])
        rows = csv_services.items_export_rows(actor=request.user, makerspace=space)
        first = next(rows, None)  # runs the permission check before the response starts
        lines = csv_services.csv_lines(csv_services.COLUMNS, chain([first] if first else [], rows))
        return _csv_response(lines, f"inventory-{space.slug}.csv")


class LedgerExportApi(FeatureSwitched, MakerspaceApi):
    feature = "inventory"
    """The ledger of one makerspace for ``[start, end)``, streamed as CSV whatever its size (staff)."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        parameters=[s.LedgerExportQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR, 403: ErrorSerializer},
    )
    def get(self, request):
        params = query_params(s.LedgerExportQuerySerializer, request)
        space = makerspace_from_input(params["makerspace"])
        csv_services.ledger_export_check(actor=request.user, makerspace=space)
        rows = inventory_selectors.movement_export_rows(
            makerspace_id=space.pk, starts_at=params["start"], ends_at=params["end"]
        )
        stamp = timezone.now().strftime("%Y%m%d")
        return _csv_response(
            csv_services.csv_lines(csv_services.LEDGER_COLUMNS, rows), f"ledger-{space.slug}-{stamp}.csv"
        )
