"""Admin for service providers: capabilities inline, verification actions through the provider services."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin, admin_scope
from makerspace.models import ProviderCapability, ServiceProvider
from makerspace.services import providers as provider_services
from makrx.admin.readonly import ReadOnlyInline


class CapabilityInline(ReadOnlyInline):
    model = ProviderCapability
    fields = ("process", "materials", "bed_x_mm", "bed_y_mm", "bed_z_mm")


class VerifiedFilter(admin.SimpleListFilter):
    title = "verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return (("yes", "Verified"), ("no", "Not verified"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


@admin.register(ServiceProvider)
class ServiceProviderAdmin(MakerspaceScopedAdmin):
    makerspace_path = "makerspaces"
    list_display = ("display_name", "user", "available", "hourly_rate", "rating", "verified_at", "created_at")
    list_filter = (VerifiedFilter, "available", "capabilities__process", "makerspaces")
    search_fields = ("display_name", "user__username", "bio", "capabilities__materials")
    list_select_related = ("user",)
    readonly_fields = [field.name for field in ServiceProvider._meta.fields] + ["makerspaces"]
    inlines = [CapabilityInline]
    actions = ["verify", "unverify"]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        scope = admin_scope(request)
        if scope is None:
            return queryset
        return queryset.filter(pk__in=ServiceProvider.objects.filter(makerspaces__in=scope).values("pk"))

    def _allowed(self, request, obj=None) -> bool:
        scope = admin_scope(request)
        if obj is None or scope is None:
            return super()._allowed(request, None)
        return super()._allowed(request, None) and obj.makerspaces.filter(pk__in=scope).exists()

    def has_add_permission(self, request):
        return False  # makers keep their own profile through the API

    @admin.action(description="Verify selected providers")
    def verify(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda p: provider_services.provider_verify(actor=request.user, provider=p, verified=True),
            "verified",
        )

    @admin.action(description="Withdraw verification of selected providers")
    def unverify(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda p: provider_services.provider_verify(actor=request.user, provider=p, verified=False),
            "unverified",
        )
