"""/providers/: the directory of service providers (search by capability, material, makerspace), your own
profile at /providers/me/, and verification by staff."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from makerspace.api.serializers import providers as s
from makerspace.api.views.base import MakerspaceApi, PostOnlyAction, makerspace_from_input, query_params
from makerspace.models import ServiceProvider
from makerspace.selectors import providers as provider_selectors
from makerspace.services import providers as provider_services
from makrx.errors import NotFound

TAGS = ["makerspace: providers"]


class ProviderListApi(MakerspaceApi):
    # The schema generator reads the model from here; the views call their selectors.
    queryset = ServiceProvider.objects.none()
    serializer_class = s.ProviderOutputSerializer

    @extend_schema(tags=TAGS, parameters=[s.ProviderQuerySerializer], responses=s.ProviderOutputSerializer(many=True))
    def get(self, request):
        params = query_params(s.ProviderQuerySerializer, request)
        queryset = provider_selectors.provider_list(
            user=request.user,
            capability=params.get("capability"),
            material=params.get("material"),
            makerspace_id=params.get("makerspace"),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ProviderOutputSerializer(page, many=True).data)


class ProviderMeApi(MakerspaceApi):
    serializer_class = s.ProviderOutputSerializer
    pagination_class = None

    @extend_schema(tags=TAGS, responses=s.ProviderMeOutputSerializer)
    def get(self, request):
        provider = provider_selectors.provider_list(user=request.user).filter(user=request.user).first()
        return Response(s.ProviderMeOutputSerializer({"provider": provider}).data)

    @extend_schema(tags=TAGS, request=s.ProviderInputSerializer, responses=s.ProviderOutputSerializer)
    def put(self, request):
        serializer = s.ProviderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["makerspaces"] = [makerspace_from_input(pk) for pk in dict.fromkeys(data.get("makerspaces", []))]
        provider = provider_services.provider_profile_save(actor=request.user, **data)
        provider = provider_selectors.provider_list(user=request.user).get(pk=provider.pk)
        return Response(s.ProviderOutputSerializer(provider).data)


class ProviderDetailApi(MakerspaceApi):
    serializer_class = s.ProviderOutputSerializer

    def provider(self, pk: int) -> ServiceProvider:
        provider = provider_selectors.provider_list(user=self.request.user).filter(pk=pk).first()
        if provider is None:
            raise NotFound("No such provider.")
        return provider

    @extend_schema(tags=TAGS, responses=s.ProviderOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.ProviderOutputSerializer(self.provider(pk)).data)


class ProviderVerifyApi(PostOnlyAction, ProviderDetailApi):
    @extend_schema(tags=TAGS, request=s.VerifyInputSerializer, responses=s.ProviderOutputSerializer)
    def post(self, request, pk: int):
        serializer = s.VerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        provider = provider_services.provider_verify(
            actor=request.user, provider=self.provider(pk), verified=serializer.validated_data["verified"]
        )
        return Response(s.ProviderOutputSerializer(self.provider(provider.pk)).data)
