"""Admin for machine ratings: read-only (members write them through the API's rating service)."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import EquipmentRating
from makrx.admin.readonly import ReadOnlyAdminMixin


@admin.register(EquipmentRating)
class EquipmentRatingAdmin(ReadOnlyAdminMixin, MakerspaceScopedAdmin):
    makerspace_path = "equipment__makerspace"
    list_display = ("equipment", "member", "score", "comment", "updated_at")
    list_filter = ("score", "equipment__makerspace", "equipment")
    search_fields = ("equipment__name", "member__user__username", "comment")
    list_select_related = ("equipment", "member__user")
    date_hierarchy = "updated_at"
