"""/projects/{id}/bom/: the bill of materials, its procurement states and drawing from inventory."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.serializers import project_bom as s
from makerspace.api.views.base import PostOnlyAction, conflict_response
from makerspace.api.views.projects import ProjectApi
from makerspace.models import BOMLine, InventoryItem
from makerspace.selectors import project_bom as bom_selectors
from makerspace.services import project_bom as bom_services
from makrx.errors import NotFound, ValidationError

TAGS = ["makerspace: projects"]


class BOMLineListApi(ProjectApi):
    # The schema generator reads the model from here; the views call their selectors.
    queryset = BOMLine.objects.none()
    serializer_class = s.BOMLineOutputSerializer

    @extend_schema(tags=TAGS, responses=s.BOMLineOutputSerializer(many=True))
    def get(self, request, pk: int):
        return self.paginated(bom_selectors.bom_line_list(project=self.project(pk)), s.BOMLineOutputSerializer)

    @extend_schema(tags=TAGS, request=s.BOMLineInputSerializer, responses={201: s.BOMLineOutputSerializer})
    def post(self, request, pk: int):
        project = self.project(pk)
        serializer = s.BOMLineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        item_id = data.pop("inventory_item", None)
        item = None
        if item_id is not None:
            item = InventoryItem.objects.filter(pk=item_id).first()
            if item is None:
                raise ValidationError("Unknown item.", errors={"inventory_item": ["Unknown item."]})
        line = bom_services.bom_line_add(actor=request.user, project=project, inventory_item=item, **data)
        return Response(s.BOMLineOutputSerializer(line).data, status=status.HTTP_201_CREATED)


class BOMTotalsApi(ProjectApi):
    # The schema generator reads the model from here; the views call their selectors.
    queryset = BOMLine.objects.none()
    pagination_class = None

    @extend_schema(tags=TAGS, responses=s.BOMTotalsSerializer(many=True))
    def get(self, request, pk: int):
        totals = bom_selectors.bom_totals(project=self.project(pk))
        return Response(s.BOMTotalsSerializer(totals, many=True).data)


class BOMLineDetailApi(ProjectApi):
    def line(self, pk: int, line_id: int) -> BOMLine:
        line = BOMLine.objects.filter(pk=line_id, project=self.project(pk)).first()
        if line is None:
            raise NotFound("No such BOM line.")
        return line

    @extend_schema(
        tags=TAGS,
        request=s.BOMLineUpdateSerializer,
        responses={200: s.BOMLineOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def patch(self, request, pk: int, line_id: int):
        line = self.line(pk, line_id)
        serializer = s.BOMLineUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        line = bom_services.bom_line_update(actor=request.user, line=line, **serializer.validated_data)
        return Response(s.BOMLineOutputSerializer(line).data)


class BOMLineTransitionApi(PostOnlyAction, BOMLineDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.BOMTransitionInputSerializer,
        responses={200: s.BOMLineOutputSerializer, 409: conflict_response("invalid_transition, insufficient_stock")},
    )
    def post(self, request, pk: int, line_id: int):
        line = self.line(pk, line_id)
        serializer = s.BOMTransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = bom_services.bom_line_transition(actor=request.user, line=line, state=serializer.validated_data["state"])
        return Response(s.BOMLineOutputSerializer(line).data)


class BOMReserveApi(PostOnlyAction, ProjectApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: s.BOMReserveOutputSerializer, 409: conflict_response("nothing_to_reserve")},
    )
    def post(self, request, pk: int):
        result = bom_services.bom_reserve_from_inventory(actor=request.user, project=self.project(pk))
        return Response(s.BOMReserveOutputSerializer(result).data)


class BOMStoreCartApi(PostOnlyAction, ProjectApi):
    """The project's needed store lines into your store cart (through the bridge): 202 with the lines sent."""

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={202: s.BOMStoreCartOutputSerializer, 409: conflict_response("nothing_to_order")},
    )
    def post(self, request, pk: int):
        project = self.project(pk)
        lines = bom_services.bom_store_cart_send(actor=request.user, project=project)
        return Response(
            s.BOMStoreCartOutputSerializer({"project": project.pk, "lines": lines}).data,
            status=status.HTTP_202_ACCEPTED,
        )
