"""Store admin for maker-service pricing: materials and partner capabilities (saved through the services), and
quotes (read-only: a quote never changes)."""

from __future__ import annotations

from django.contrib import admin, messages

from makrx.admin.display import LocalTimeAdminMixin
from makrx.admin.readonly import ReadOnlyAdminMixin
from makrx.errors import DomainError
from store.models import Material, Quote, ServiceCapability
from store.services import quotes as services


def _save(model_admin, request, save) -> None:
    try:
        save()
    except DomainError as exc:
        model_admin.message_user(request, exc.detail, level=messages.ERROR)


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "process", "price_per_kg", "price_per_sheet", "currency", "active")
    list_filter = ("process", "active", "currency")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        _save(self, request, lambda: services.material_save(actor=request.user, material=obj))


@admin.register(ServiceCapability)
class ServiceCapabilityAdmin(admin.ModelAdmin):
    list_display = (
        "makerspace_name", "name", "process", "bed_x_mm", "bed_y_mm", "bed_z_mm",
        "machine_rate_per_hour", "labour_rate_per_hour", "accepts_store_jobs", "pickup",
    )  # fmt: skip
    list_filter = ("process", "accepts_store_jobs", "pickup", "makerspace_name")
    search_fields = ("makerspace_name", "name")
    filter_horizontal = ("materials",)

    def save_model(self, request, obj, form, change):
        _save(self, request, lambda: services.capability_save(actor=request.user, capability=obj))


@admin.register(Quote)
class QuoteAdmin(LocalTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "upload",
        "process",
        "material",
        "quantity",
        "total",
        "currency",
        "machine_fits",
        "valid_until",
    )
    list_filter = ("process", "machine_fits", "material", "created_at")
    list_select_related = ("upload", "material")
    search_fields = ("id", "upload__original_name", "user__username", "user__email")
    date_hierarchy = "created_at"
