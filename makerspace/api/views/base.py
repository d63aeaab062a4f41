"""Small helpers shared by the makerspace views."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from makerspace.api.serializers.common import ErrorSerializer, MakerspaceFilterSerializer
from makerspace.models import Equipment, Makerspace, Member
from makerspace.permissions import require_makerspace_manager, require_makerspace_staff
from makrx.errors import ValidationError


class MakerspaceApi(generics.GenericAPIView):
    """Base: signed-in users; lists paginated; ``?makerspace=`` parsed safely."""

    permission_classes = [IsAuthenticated]
    # Only listed fields may be used in ?ordering= (never arbitrary serializer sources).
    ordering_fields = ["created_at"]

    def makerspace_filter(self) -> int | None:
        serializer = MakerspaceFilterSerializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data.get("makerspace")

    def paginated(self, queryset, serializer_class):
        page = self.paginate_queryset(self.filter_queryset(queryset))
        return self.get_paginated_response(
            serializer_class(page, many=True, context=self.get_serializer_context()).data
        )


def makerspace_for_write(user, makerspace_id: int, *, staff: bool = False) -> Makerspace:
    """The makerspace a write targets, after checking the user manages it (or staffs it, with ``staff``)."""
    makerspace = Makerspace.objects.filter(pk=makerspace_id).first()
    if makerspace is None:
        raise ValidationError("Unknown makerspace.", errors={"makerspace": ["Unknown makerspace."]})
    if staff:
        require_makerspace_staff(user, makerspace)
    else:
        require_makerspace_manager(user, makerspace)
    return makerspace


def conflict_response(codes: str) -> OpenApiResponse:
    """Schema of a documented refusal (409 and friends) naming its codes."""
    return OpenApiResponse(ErrorSerializer, description=codes)


def query_params(serializer_class, request) -> dict:
    """The request's query string validated by ``serializer_class`` (400 in the error format when invalid)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def equipment_from_input(pk: int) -> Equipment:
    """The machine a request body names (400 when unknown)."""
    equipment = Equipment.objects.select_related("makerspace").filter(pk=pk).first()
    if equipment is None:
        raise ValidationError("Unknown machine.", errors={"equipment": ["Unknown machine."]})
    return equipment


def member_from_input(pk: int | None) -> Member | None:
    """The membership a request body names, or None when it names none (400 when unknown)."""
    if pk is None:
        return None
    member = Member.objects.select_related("plan", "user").filter(pk=pk).first()
    if member is None:
        raise ValidationError("Unknown member.", errors={"member": ["Unknown member."]})
    return member
