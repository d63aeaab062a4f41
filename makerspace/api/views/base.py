"""Small helpers shared by the makerspace views."""

from __future__ import annotations

from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from makerspace.api.serializers.common import MakerspaceFilterSerializer
from makerspace.models import Makerspace
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
