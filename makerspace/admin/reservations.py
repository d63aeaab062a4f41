"""Admin for reservations: a machine's calendar; staff actions and buttons go through the reservation services.

"Book for a member" (a walk-in) calls ``reservation_create`` with ``actor=request.user``, the same rules as the
API; a refusal (409 ``slot_taken``, ``outside_opening_hours``, ``skill_required``, …) comes back as a form error.
Its times are entered in the machine's makerspace's local time.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from makerspace.admin.scoping import MakerspaceScopedAdmin, add_domain_error, admin_scope
from makerspace.models import Equipment, Member, Reservation, ReservationEvent, ReservationSeries
from makerspace.services import approval as approval_services
from makerspace.services import reservations as reservation_services
from makerspace.services import usage as usage_services
from makrx.admin.actions import ObjectButton
from makrx.admin.display import format_local, money_column
from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from makrx.errors import DomainError, ValidationError

_CANCELLABLE = (Reservation.Status.PENDING, Reservation.Status.CONFIRMED)


def _check_in_open(reservation) -> bool:
    now = timezone.now()
    return reservation.starts_at - reservation_services.CHECK_IN_EARLY <= now < reservation.ends_at


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500)


class BookForMemberForm(forms.Form):
    equipment = forms.ModelChoiceField(queryset=Equipment.objects.none())
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(), help_text="An active member of the machine's space."
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    notes = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        machines = (
            Equipment.objects.filter(active=True).select_related("makerspace").order_by("makerspace__name", "name")
        )
        members = (
            Member.objects.filter(status=Member.Status.ACTIVE)
            .select_related("user", "makerspace")
            .order_by("makerspace__name", "user__username")
        )
        if scope is not None:
            machines, members = machines.filter(makerspace_id__in=scope), members.filter(makerspace_id__in=scope)
        self.fields["equipment"].queryset = machines
        self.fields["equipment"].label_from_instance = lambda e: (
            f"{e.name} ({e.makerspace.name}, {e.makerspace.timezone})"
        )
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.user.get_full_name() or m.user.username} ({m.makerspace.name})"
        )
        self.fields["start"].help_text = self.fields["end"].help_text = "Local time of the machine's makerspace."

    def clean(self):
        data = super().clean()
        machine, member = data.get("equipment"), data.get("member")
        if machine and member and member.makerspace_id != machine.makerspace_id:
            self.add_error("member", "This member belongs to another makerspace than the machine.")
        if machine and data.get("date") and data.get("start") and data.get("end"):
            zone = machine.makerspace.tzinfo
            data["starts_at"] = timezone.make_aware(datetime.combine(data["date"], data["start"]), zone)
            data["ends_at"] = timezone.make_aware(datetime.combine(data["date"], data["end"]), zone)
        return data


def book_for_member_view(model_admin, request):
    """GET: the form (``?equipment=&member=`` pre-fill it); POST: book through the service, or show why not."""
    if not model_admin.has_view_permission(request):
        raise Http404
    scope = admin_scope(request)
    form = BookForMemberForm(request.POST or None, initial=request.GET.dict(), scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reservation = reservation_services.reservation_create(
                actor=request.user,
                equipment=data["equipment"],
                member=data["member"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                notes=data["notes"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            model_admin.log_addition(request, reservation, "Booked for a member in the admin (walk-in).")
            model_admin.message_user(
                request,
                f"Booked {reservation.equipment} for {data['member'].user} ({reservation.status}).",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:makerspace_reservation_change", args=(reservation.pk,)))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Book a machine for a member",
        "form": form,
        "submit": "Book",
    }
    return TemplateResponse(request, "admin/makrx/object_form.html", context)


class ReservationEventInline(ReadOnlyInline):
    """The reservation's history: every state change with who made it and why."""

    model = ReservationEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "reason")
    ordering = ("created_at", "id")


@admin.register(Reservation)
class ReservationAdmin(MakerspaceScopedAdmin):
    """A machine's calendar: filter by equipment, browse by date, ordered by start."""

    makerspace_path = "equipment__makerspace"
    list_display = ("status", "starts_at", "ends_at", "equipment", "user", money_column("price"), "access_flagged")
    list_filter = ("status", "emergency", "access_flagged", "equipment__makerspace", "equipment")
    search_fields = ("equipment__name", "user__username", "user__email", "notes")
    autocomplete_fields = ("equipment", "user", "member")
    list_select_related = ("equipment", "user", "member__user", "created_by")
    date_hierarchy = "starts_at"
    ordering = ("starts_at", "id")
    inlines = [ReservationEventInline]
    readonly_fields = (
        "status",
        "price",
        "deposit",
        "currency",
        "price_lines",
        "included_minutes",
        "subscription",
        "promo_code",
        "supervisor",
        "emergency",
        "access_flagged",
        "access_warning",
        "decided_by",
        "decided_at",
        "decision_reason",
        "reminder_sent_at",
        "created_by",
        "cancelled_by",
        "cancelled_at",
        "cancel_reason",
        "checked_in_at",
        "completed_at",
        "created_at",
        "updated_at",
    )
    actions = ["approve", "reject", "cancel_reservations", "check_in", "start_session", "mark_no_show", "export_csv"]
    csv_fields = (
        "id", "status", "starts_at", "ends_at", "equipment__name", "equipment__makerspace__name", "user__username",
        "user__email", "price", "deposit", "currency", "checked_in_at", "cancel_reason", "created_at",
    )  # fmt: skip
    change_list_template = "admin/makerspace/reservation/change_list.html"
    object_buttons = (
        ObjectButton("Approve", action="approve", shown=lambda r: r.status == Reservation.Status.PENDING),
        ObjectButton("Reject…", action="reject", shown=lambda r: r.status == Reservation.Status.PENDING),
        ObjectButton("Check in", action="check_in", shown=lambda r: r.status in _CANCELLABLE and _check_in_open(r)),
        ObjectButton(
            "Start usage session",
            action="start_session",
            shown=lambda r: r.status in Reservation.ACTIVE_STATUSES and r.starts_at <= timezone.now() < r.ends_at,
        ),
        ObjectButton("Cancel booking", action="cancel_reservations", shown=lambda r: r.status in _CANCELLABLE),
    )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:  # the model's str() is in UTC; the page heading says the space's local time
            zone = self.object_timezone(request, obj)
            context["subtitle"] = (
                f"{obj.equipment} {format_local(obj.starts_at, zone)} – {format_local(obj.ends_at, zone)}"
                f" ({obj.get_status_display()})"
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_urls(self):
        book = path("book/", self.admin_site.admin_view(self.book_view), name="makerspace_reservation_book")
        return [book, *super().get_urls()]

    def book_view(self, request):
        """Book a machine for a member (a walk-in) through ``reservation_create``, with every rule it checks."""
        return book_for_member_view(self, request)

    def has_add_permission(self, request):
        return False  # bookings go through the API, which checks every rule

    def has_change_permission(self, request, obj=None):
        return False  # a booking changes state through the actions (services), never by editing the row

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return (
            (*self.readonly_fields, "equipment", "user", "member", "starts_at", "ends_at")
            if obj
            else self.readonly_fields
        )

    @admin.action(description="Approve selected pending reservations")
    def approve(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: approval_services.reservation_approve(reservation=r, actor=request.user),
            "approved",
        )

    @admin.action(description="Reject selected pending reservations…")
    def reject(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, ReasonForm),
            action="reject",
            title="Reject reservations",
            service=lambda r, data: approval_services.reservation_reject(
                reservation=r, actor=request.user, reason=data["reason"]
            ),
            done="rejected",
        )

    @admin.action(description="Cancel selected reservations (staff)")
    def cancel_reservations(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: reservation_services.reservation_cancel(
                reservation=r, actor=request.user, reason="Cancelled by staff in the admin"
            ),
            "cancelled",
        )

    @admin.action(description="Check in selected reservations")
    def check_in(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: reservation_services.reservation_check_in(reservation=r, actor=request.user),
            "checked in",
        )

    @admin.action(description="Start the usage session of selected reservations (checks them in)")
    def start_session(self, request, queryset):
        def start(reservation):
            if reservation.member is None:
                raise ValidationError("This booking has no member; start the session from the API.")
            usage_services.usage_session_start(
                actor=request.user, equipment=reservation.equipment, member=reservation.member
            )

        self.run_service(request, queryset, start, "usage session started")

    @admin.action(description="Mark selected reservations as no-show")
    def mark_no_show(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: reservation_services.reservation_no_show(reservation=r, actor=request.user),
            "marked no-show",
        )


class SeriesReservationInline(ReadOnlyInline):
    model = Reservation
    fk_name = "series"
    fields = ("starts_at", "ends_at", "status", "price")
    ordering = ("starts_at",)


@admin.register(ReservationSeries)
class ReservationSeriesAdmin(ReadOnlyAdminMixin, MakerspaceScopedAdmin):
    """Recurring bookings and their occurrences (each occurrence is cancelled from the reservations screen)."""

    makerspace_path = "equipment__makerspace"
    list_display = ("equipment", "user", "every", "count", "created_by", "created_at")
    list_filter = ("every", "equipment__makerspace")
    search_fields = ("equipment__name", "user__username", "user__email")
    list_select_related = ("equipment", "user", "created_by")
    inlines = [SeriesReservationInline]
