"""Small helpers shared by the makerspace views: the base view and the lookups of ids named in a request body."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, generics
from rest_framework.permissions import IsAuthenticated

from makerspace.api.serializers.common import ErrorSerializer
from makerspace.models import Equipment, Makerspace, Member, Skill
from makerspace.selectors import space_settings as space_settings_selectors
from makerspace.services import space_settings as space_settings_services
from makrx import errors


class PostOnlyAction:
    """An action endpoint (``…/{id}/<verb>/``): POST only; GET, PUT, PATCH and DELETE answer 405 (DESIGN.md §5.2).

    Mixed in before the detail view it extends, so the action reuses its lookup and scoping without its methods.
    """

    http_method_names = ["post", "options"]


class MakerspaceApi(generics.GenericAPIView):
    """Base: signed-in users; lists paginated and filtered (django-filter); refusals keep their codes.

    Rows outside the user's scope are not found (404); an action on a row the user sees but may not
    act on is refused by the service (403 with a ``not_makerspace_*`` code).
    """

    permission_classes = [IsAuthenticated]
    # Only listed fields may be used in ?ordering= (never arbitrary serializer sources).
    ordering_fields = ["created_at"]

    def permission_denied(self, request, message=None, code=None):
        # DRF would answer "permission_denied" whatever the permission class said; keep its own code.
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated()
        raise errors.PermissionDenied(message, code=code)

    def paginated(self, queryset, serializer_class):
        page = self.paginate_queryset(self.filter_queryset(queryset))
        return self.get_paginated_response(
            serializer_class(page, many=True, context=self.get_serializer_context()).data
        )


def conflict_response(codes: str) -> OpenApiResponse:
    """Schema of a documented refusal (409 and friends) naming its codes."""
    return OpenApiResponse(ErrorSerializer, description=codes)


def query_params(serializer_class, request) -> dict:
    """The request's query string validated by ``serializer_class`` (400 in the error format when invalid)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def makerspace_from_input(pk: int) -> Makerspace:
    """The makerspace a request body names (400 when unknown; the service decides who may write to it)."""
    makerspace = Makerspace.objects.filter(pk=pk).first()
    if makerspace is None:
        raise errors.ValidationError("Unknown makerspace.", errors={"makerspace": ["Unknown makerspace."]})
    return makerspace


def equipment_from_input(pk: int) -> Equipment:
    """The machine a request body names (400 when unknown; the service decides whether the user may use it)."""
    equipment = Equipment.objects.select_related("makerspace").filter(pk=pk).first()
    if equipment is None:
        raise errors.ValidationError("Unknown machine.", errors={"equipment": ["Unknown machine."]})
    return equipment


def member_from_input(pk: int | None) -> Member | None:
    """The membership a request body names, or None (400 when unknown; the service decides who may act for it)."""
    if pk is None:
        return None
    member = Member.objects.select_related("plan", "user").filter(pk=pk).first()
    if member is None:
        raise errors.ValidationError("Unknown member.", errors={"member": ["Unknown member."]})
    return member


def skills_from_input(ids: list[int]) -> list[Skill]:
    """The skills a request body names (400 naming the unknown ids; the service checks their makerspace)."""
    skills = list(Skill.objects.filter(pk__in=set(ids)))
    unknown = sorted(set(ids) - {skill.pk for skill in skills})
    if unknown:
        raise errors.ValidationError(
            "Unknown skill.", errors={"prerequisites": [f"Unknown skill {pk}." for pk in unknown]}
        )
    return skills


def skill_from_input(pk: int) -> Skill:
    """The skill a request body names (400 when unknown)."""
    skill = Skill.objects.filter(pk=pk).first()
    if skill is None:
        raise errors.ValidationError("Unknown skill.", errors={"skill": ["Unknown skill."]})
    return skill


def user_from_input(pk: int | None, *, field: str = "user"):
    """The user a request body names, or None (400 when unknown; the service decides what they may be)."""
    if pk is None:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        raise errors.ValidationError("Unknown user.", errors={field: ["Unknown user."]})
    return user


class FeatureSwitched:
    """Endpoints of a feature a makerspace may switch off in its settings (waitlist, ratings, badges, projects,
    inventory): for a switched-off makerspace they answer 404 as if nothing were there.

    Mixed in before the view's base: ``filter_queryset`` (which lists and ``get_object`` both use) drops rows of
    switched-off makerspaces in the same single query, so lists skip them and details and actions 404; a
    ``?makerspace=`` naming one is 404; creates call ``feature_check`` with the makerspace their body names.
    ``feature_path`` leads from the view's rows to their makerspace id; a list of child rows (a machine's ratings,
    a project's comments) is not filtered again: its parent was found through the filter or ``feature_check``.
    """

    feature: str = ""
    feature_path: str = "makerspace_id"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        named = request.query_params.get("makerspace", "")
        if named.isascii() and named.isdigit() and len(named) < 19:
            self.feature_check(int(named))

    def filter_queryset(self, queryset):
        first = self.feature_path.split("__")[0].removesuffix("_id")
        if any(f.name == first for f in queryset.model._meta.get_fields()):
            off = space_settings_selectors.disabled_makerspace_ids(feature=self.feature)
            queryset = queryset.exclude(**{f"{self.feature_path}__in": off})
        return super().filter_queryset(queryset)

    def feature_check(self, makerspace_id: int | None) -> None:
        if makerspace_id is not None:
            space_settings_services.feature_require(makerspace_id=makerspace_id, feature=self.feature)
