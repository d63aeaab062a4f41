"""Admin for notifications: template overrides with a live preview, the sent list, preferences and webhooks.

Platform administrators see everything; a makerspace's managers see and edit that makerspace's template
overrides and webhook endpoints. Every write goes through the notification services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from makrx.auth import roles, scoping
from makrx.errors import DomainError
from makrx.models import Notification, NotificationPreference, NotificationTemplate, WebhookDelivery, WebhookEndpoint
from makrx.notifications import services, webhooks
from makrx.notifications.registry import kind_get, kind_list


def _kind_choices():
    return [(kind.key, f"{kind.key} — {kind.description}" if kind.description else kind.key) for kind in kind_list()]


class _ScopedBySpace:
    """Platform admins see every row; makerspace managers the rows of the makerspaces they manage."""

    def _managed(self, request) -> set[int] | None:
        if roles.is_platform_admin(request.user):
            return None
        return scoping.managed_makerspace_ids(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        managed = self._managed(request)
        return qs if managed is None else qs.filter(makerspace_id__in=managed)

    def _allowed(self, request) -> bool:
        managed = self._managed(request)
        return managed is None or bool(managed)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class _PlatformAdminOnly:
    def has_module_permission(self, request):
        return roles.is_platform_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_platform_admin(request.user)


class NotificationTemplateForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=_kind_choices)

    class Meta:
        model = NotificationTemplate
        fields = ["kind", "makerspace_id", "active", "subject", "text", "html"]

    def clean(self):
        data = super().clean()
        for field, messages in services.template_errors(
            subject=data.get("subject") or "", text=data.get("text") or "", html=data.get("html") or ""
        ).items():
            self.add_error(field, messages)
        return data


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(_ScopedBySpace, admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ("kind", "makerspace_id", "active", "subject", "updated_at")
    list_filter = ("active", "kind")
    search_fields = ("kind", "subject", "text")
    readonly_fields = ("preview", "default_templates")
    fieldsets = (
        (None, {"fields": ("kind", "makerspace_id", "active")}),
        (
            "Templates (Django template syntax; variables are the kind's context)",
            {"fields": ("subject", "text", "html")},
        ),
        ("Preview with the kind's sample context", {"fields": ("preview", "default_templates")}),
    )

    def get_changeform_initial_data(self, request):
        """``?kind=`` starts the override from that kind's default templates."""
        initial = super().get_changeform_initial_data(request)
        try:
            kind = kind_get(initial.get("kind", ""))
        except LookupError:
            return initial
        return {**initial, "subject": kind.subject, "text": kind.text, "html": kind.html}

    @admin.display(description="Preview")
    def preview(self, obj):
        if obj is None or not obj.pk:
            return "Save to see the preview."
        try:
            rendered = services.notification_preview(kind=obj.kind, subject=obj.subject, text=obj.text, html=obj.html)
        except Exception as exc:  # noqa: BLE001 - a broken template is shown, not a 500
            return format_html('<p class="errornote">The template does not render: {}</p>', exc)
        return format_html(
            "<p><strong>Subject:</strong> {}</p><pre>{}</pre>{}",
            rendered["subject"],
            rendered["text"],
            format_html("<details><summary>HTML</summary><pre>{}</pre></details>", rendered["html"])
            if rendered["html"]
            else "",
        )

    @admin.display(description="Defaults of this kind")
    def default_templates(self, obj):
        try:
            kind = kind_get(obj.kind) if obj else None
        except LookupError:
            kind = None
        if kind is None:
            return "-"
        return format_html("<p><strong>Subject:</strong> {}</p><pre>{}</pre>", kind.subject, kind.text)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in NotificationTemplateForm.Meta.fields}
        original = NotificationTemplate.objects.get(pk=obj.pk) if change else None
        saved = services.notification_template_save(actor=request.user, template=original, **fields)
        obj.pk = saved.pk

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class ScopedForm(form):
            """Refuse, as form errors, what the service would refuse: scopes the user may not edit, duplicates."""

            def clean(self):
                data = super().clean()
                spaces = {data.get("makerspace_id")} | ({obj.makerspace_id} if obj else set())
                try:
                    for space in spaces:
                        if space is None:
                            scoping.platform_admin_require(user=request.user)
                        else:
                            scoping.makerspace_manager_require(user=request.user, makerspace_id=space)
                except DomainError as exc:
                    raise forms.ValidationError(exc.detail) from None
                duplicate = NotificationTemplate.objects.filter(
                    kind=data.get("kind"), makerspace_id=data.get("makerspace_id")
                )
                if obj is not None:
                    duplicate = duplicate.exclude(pk=obj.pk)
                if duplicate.exists():
                    raise forms.ValidationError("This kind already has an override for that scope.")
                return data

        return ScopedForm


class WebhookDeliveryInline(ReadOnlyInline):
    model = WebhookDelivery
    fields = ("notification", "state", "attempts", "last_status", "last_error", "created_at", "delivered_at")
    ordering = ("-created_at",)
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("notification")


class WebhookEndpointForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(choices=_kind_choices, required=False, help_text="None selected: every kind.")
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["makerspace_id", "name", "url", "secret", "kinds", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secret"].required = False
        self.fields["secret"].help_text = "Leave empty to generate one. Receivers check X-MakrX-Signature with it."


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(_ScopedBySpace, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "makerspace_id", "url", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "url")
    inlines = [WebhookDeliveryInline]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in WebhookEndpointForm.Meta.fields}
        fields["kinds"] = list(fields["kinds"] or [])
        original = WebhookEndpoint.objects.get(pk=obj.pk) if change else None
        saved = webhooks.webhook_endpoint_save(actor=request.user, endpoint=original, **fields)
        obj.pk = saved.pk
        obj.secret = saved.secret

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class ScopedForm(form):
            def clean(self):
                data = super().clean()
                for space in {getattr(obj, "makerspace_id", None), data.get("makerspace_id")} - {None}:
                    try:
                        scoping.makerspace_manager_require(user=request.user, makerspace_id=space)
                    except DomainError as exc:
                        raise forms.ValidationError(exc.detail) from None
                return data

        return ScopedForm


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ServiceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "endpoint", "kind", "state", "attempts", "last_status", "created_at", "delivered_at")
    list_filter = ("state",)
    search_fields = ("endpoint__name", "notification__kind")
    list_select_related = ("endpoint", "notification")
    actions = ["retry"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if roles.is_platform_admin(request.user):
            return qs
        return qs.filter(endpoint__makerspace_id__in=scoping.managed_makerspace_ids(request.user))

    def has_module_permission(self, request):
        return roles.is_platform_admin(request.user) or bool(scoping.managed_makerspace_ids(request.user))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @admin.display(description="Kind")
    def kind(self, obj):
        return obj.notification.kind

    @admin.action(description="Send the selected failed deliveries again")
    def retry(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda delivery: webhooks.webhook_delivery_retry(actor=request.user, delivery=delivery),
            "deliveries queued again",
        )


@admin.register(Notification)
class NotificationAdmin(ServiceActionsMixin, _PlatformAdminOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "user", "makerspace_id", "subject", "email_state", "in_app", "read_at")
    list_filter = ("email_state", "priority", "in_app", "kind")
    search_fields = ("subject", "kind", "user__username", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    actions = ["resend_email"]

    @admin.action(description="Send the selected failed emails again")
    def resend_email(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda notification: services.notification_email_retry(actor=request.user, notification=notification),
            "emails queued again",
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(_PlatformAdminOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Users choose their own channels (API); staff look, for support questions."""

    list_display = ("user", "kind", "channel", "enabled", "updated_at")
    list_filter = ("channel", "enabled", "kind")
    search_fields = ("user__username", "user__email", "kind")
    list_select_related = ("user",)
