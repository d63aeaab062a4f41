"""Prices: a machine's quote for a time range, the makerspaces' cost rules and promo codes (managers write them)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from makerspace.api.filters import CostRuleFilter, PromoCodeFilter
from makerspace.api.serializers import pricing as s
from makerspace.api.views.base import MakerspaceApi, conflict_response, makerspace_from_input, query_params
from makerspace.models import Equipment, MembershipPlan, Skill
from makerspace.selectors import pricing as pricing_selectors
from makerspace.services import pricing as pricing_services
from makrx.errors import ValidationError

TAGS = ["makerspace: pricing"]
RELATED = {"equipment": Equipment, "plan": MembershipPlan, "skill": Skill}


def _related(data: dict) -> dict:
    """Replace the ids of equipment/plan/skill by their rows (400 when unknown; the service checks the space)."""
    data = dict(data)
    for name, model in RELATED.items():
        if data.get(name) is not None:
            row = model.objects.filter(pk=data[name]).first()
            if row is None:
                raise ValidationError(f"Unknown {name}.", errors={name: [f"Unknown {name}."]})
            data[name] = row
    if "tiers" in data:
        data["tiers"] = [
            {"up_to_hours": None if t.get("up_to_hours") is None else str(t["up_to_hours"]), "rate": str(t["rate"])}
            for t in data["tiers"]
        ]
    return data


class EquipmentPriceApi(MakerspaceApi):
    """What booking the machine for a range costs the user now: total, deposit and the lines that make it."""

    serializer_class = s.PriceSerializer
    pagination_class = None
    # Membership of the machine's makerspace is checked by the selector, with the membership row it reads anyway.
    permission_classes = [IsAuthenticated]

    # The schema generator reads the path's model from here; the view calls its selector.
    queryset = Equipment.objects.none()

    @extend_schema(
        tags=TAGS,
        parameters=[s.PriceQuerySerializer],
        responses={200: s.PriceSerializer, 409: conflict_response("promo_invalid, promo_exhausted")},
    )
    def get(self, request, pk: int):
        query = query_params(s.PriceQuerySerializer, request)
        quote = pricing_selectors.equipment_price(
            equipment=pricing_selectors.priceable_equipment_get(user=request.user, pk=pk),
            user=request.user,
            starts_at=query["starts_at"],
            ends_at=query["ends_at"],
            promo_code=query["promo_code"],
        )
        return Response(s.PriceSerializer(quote).data)


class CostRuleListCreateApi(MakerspaceApi):
    serializer_class = s.CostRuleOutputSerializer
    filterset_class = CostRuleFilter
    search_fields = ["name"]
    ordering_fields = ["priority", "name", "created_at"]

    def get_queryset(self):
        return pricing_selectors.cost_rule_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.CostRuleOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.CostRuleOutputSerializer)

    @extend_schema(tags=TAGS, request=s.CostRuleInputSerializer, responses={201: s.CostRuleOutputSerializer})
    def post(self, request):
        serializer = s.CostRuleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _related(serializer.validated_data)
        makerspace = makerspace_from_input(data.pop("makerspace"))
        rule = pricing_services.cost_rule_create(makerspace=makerspace, actor=request.user, **data)
        return Response(s.CostRuleOutputSerializer(rule).data, status=status.HTTP_201_CREATED)


class CostRuleDetailApi(MakerspaceApi):
    serializer_class = s.CostRuleOutputSerializer

    def get_queryset(self):
        return pricing_selectors.cost_rule_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.CostRuleOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.CostRuleOutputSerializer(self.get_object()).data)

    @extend_schema(tags=TAGS, request=s.CostRuleUpdateSerializer, responses=s.CostRuleOutputSerializer)
    def patch(self, request, pk: int):
        rule = self.get_object()
        serializer = s.CostRuleUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = pricing_services.cost_rule_update(rule=rule, actor=request.user, **_related(serializer.validated_data))
        return Response(s.CostRuleOutputSerializer(rule).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request, pk: int):
        pricing_services.cost_rule_delete(rule=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PromoCodeListCreateApi(MakerspaceApi):
    serializer_class = s.PromoCodeOutputSerializer
    filterset_class = PromoCodeFilter
    search_fields = ["code"]
    ordering_fields = ["code", "created_at"]

    def get_queryset(self):
        return pricing_selectors.promo_code_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.PromoCodeOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.PromoCodeOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=s.PromoCodeInputSerializer,
        responses={201: s.PromoCodeOutputSerializer, 409: conflict_response("duplicate")},
    )
    def post(self, request):
        serializer = s.PromoCodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        makerspace = makerspace_from_input(data.pop("makerspace"))
        promo = pricing_services.promo_code_create(makerspace=makerspace, actor=request.user, **data)
        return Response(s.PromoCodeOutputSerializer(promo).data, status=status.HTTP_201_CREATED)


class PromoCodeDetailApi(MakerspaceApi):
    serializer_class = s.PromoCodeOutputSerializer

    def get_queryset(self):
        return pricing_selectors.promo_code_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.PromoCodeOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.PromoCodeOutputSerializer(self.get_object()).data)
