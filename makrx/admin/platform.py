"""Admin screens for the platform core models: users, pages, idempotency records."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from makrx import services
from makrx.auth import roles
from makrx.models import IdempotencyKey, Page, User

admin.site.site_header = "MakrX administration"
admin.site.site_title = "MakrX admin"
admin.site.index_title = "Makerspaces and store"
# "View site": the interactive API docs, the one page every deployment serves (docs/operations.md).
admin.site.site_url = "/docs"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "roles", "is_staff", "is_superuser", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("username", "email", "first_name", "last_name", "keycloak_sub")
    readonly_fields = ("keycloak_sub", "last_login", "date_joined")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Identity provider", {"fields": ("keycloak_sub", "roles")}),
    )


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """Platform administrators only (the service checks again): Terms and Privacy are not every staff's to edit."""

    list_display = ("title", "slug", "published", "published_at", "updated_at")
    list_filter = ("published",)
    search_fields = ("title", "slug", "body")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("published_at", "created_at", "updated_at")
    actions = ["publish", "unpublish"]

    def has_module_permission(self, request):
        return roles.is_platform_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_platform_admin(request.user)

    def has_add_permission(self, request):
        return roles.is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_platform_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_platform_admin(request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in ("title", "slug", "body", "published")}
        services.page_save(actor=request.user, page=obj, **fields)

    def delete_model(self, request, obj):
        services.page_delete(actor=request.user, page=obj)

    def delete_queryset(self, request, queryset):
        for page in queryset:
            services.page_delete(actor=request.user, page=page)

    @admin.action(description="Publish selected pages")
    def publish(self, request, queryset):
        for page in queryset:
            services.page_save(actor=request.user, page=page, published=True)

    @admin.action(description="Unpublish selected pages")
    def unpublish(self, request, queryset):
        for page in queryset:
            services.page_save(actor=request.user, page=page, published=False)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ("scope", "key", "owner", "state", "locked_until", "response_status", "created_at")
    list_filter = ("scope", "state", "response_status")
    search_fields = ("key", "owner")
    readonly_fields = [f.name for f in IdempotencyKey._meta.fields]

    def has_add_permission(self, request):
        return False
