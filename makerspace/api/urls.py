"""API routes of the makerspace app under /api/v1/makerspace/ (paths of DESIGN.md §5.1 are stable)."""

from django.urls import path

from makerspace.api.views import (
    analytics,
    calendar,
    equipment,
    maintenance,
    members,
    plans,
    reservations,
    skills,
    spaces,
    usage,
)

urlpatterns = [
    # analytics (staff of the makerspace)
    path("analytics/<slug:report>/", analytics.AnalyticsReportApi.as_view(), name="analytics-report"),
    # spaces
    path("makerspaces/", spaces.MakerspaceListCreateApi.as_view(), name="makerspace-list"),
    path("makerspaces/<int:pk>/", spaces.MakerspaceDetailApi.as_view(), name="makerspace-detail"),
    path("makerspaces/<int:pk>/join/", spaces.MakerspaceJoinApi.as_view(), name="makerspace-join"),
    path("makerspaces/<int:pk>/opening-hours/", spaces.MakerspaceOpeningHoursApi.as_view(), name="makerspace-hours"),
    path("makerspaces/<int:pk>/closures/", spaces.MakerspaceClosureListCreateApi.as_view(), name="makerspace-closures"),
    path(
        "makerspaces/<int:pk>/closures/<int:closure_id>/",
        spaces.MakerspaceClosureDeleteApi.as_view(),
        name="makerspace-closure-detail",
    ),
    # members
    path("members/", members.MemberListApi.as_view(), name="member-list"),
    path("members/<int:pk>/", members.MemberDetailApi.as_view(), name="member-detail"),
    path("members/<int:pk>/approve/", members.MemberApproveApi.as_view(), name="member-approve"),
    path("members/<int:pk>/reject/", members.MemberRejectApi.as_view(), name="member-reject"),
    path("members/<int:pk>/suspend/", members.MemberSuspendApi.as_view(), name="member-suspend"),
    path("members/<int:pk>/reactivate/", members.MemberReactivateApi.as_view(), name="member-reactivate"),
    path("members/<int:pk>/skills/", members.MemberSkillListGrantApi.as_view(), name="member-skills"),
    path("members/<int:pk>/skills/<int:skill_id>/", members.MemberSkillRevokeApi.as_view(), name="member-skill-revoke"),
    # plans and subscriptions
    path("plans/", plans.PlanListCreateApi.as_view(), name="plan-list"),
    path("plans/<int:pk>/", plans.PlanDetailApi.as_view(), name="plan-detail"),
    path("subscriptions/", plans.SubscriptionListCreateApi.as_view(), name="subscription-list"),
    path("subscriptions/<int:pk>/", plans.SubscriptionDetailApi.as_view(), name="subscription-detail"),
    path("subscriptions/<int:pk>/cancel/", plans.SubscriptionCancelApi.as_view(), name="subscription-cancel"),
    # skills
    path("skills/", skills.SkillListCreateApi.as_view(), name="skill-list"),
    path("skills/<int:pk>/", skills.SkillDetailApi.as_view(), name="skill-detail"),
    # equipment
    path("equipment/", equipment.EquipmentListCreateApi.as_view(), name="equipment-list"),
    path("equipment/<int:pk>/", equipment.EquipmentDetailApi.as_view(), name="equipment-detail"),
    path("equipment/<int:pk>/status/", equipment.EquipmentStatusApi.as_view(), name="equipment-status"),
    path(
        "equipment/<int:pk>/availability/",
        reservations.EquipmentAvailabilityApi.as_view(),
        name="equipment-availability",
    ),
    # reservations
    path("reservations/", reservations.ReservationListCreateApi.as_view(), name="reservation-list"),
    path("reservations/<int:pk>/", reservations.ReservationDetailApi.as_view(), name="reservation-detail"),
    path("reservations/<int:pk>/cancel/", reservations.ReservationCancelApi.as_view(), name="reservation-cancel"),
    path("reservations/<int:pk>/check-in/", reservations.ReservationCheckInApi.as_view(), name="reservation-check-in"),
    path("reservations/<int:pk>/no-show/", reservations.ReservationNoShowApi.as_view(), name="reservation-no-show"),
    path("reservations/<int:pk>/complete/", reservations.ReservationCompleteApi.as_view(), name="reservation-complete"),
    # calendars (the token in the path is the credential)
    path("calendar/token/", calendar.CalendarTokenApi.as_view(), name="calendar-token"),
    path(
        "calendar/<str:token>/reservations.ics",
        calendar.CalendarReservationsFeedApi.as_view(),
        name="calendar-reservations",
    ),
    path(
        "calendar/<str:token>/equipment/<int:pk>.ics",
        calendar.CalendarEquipmentFeedApi.as_view(),
        name="calendar-equipment",
    ),
    # maintenance
    path("maintenance/tickets/", maintenance.TicketListCreateApi.as_view(), name="maintenance-ticket-list"),
    path("maintenance/tickets/<int:pk>/", maintenance.TicketDetailApi.as_view(), name="maintenance-ticket-detail"),
    path(
        "maintenance/tickets/<int:pk>/assign/", maintenance.TicketAssignApi.as_view(), name="maintenance-ticket-assign"
    ),
    path(
        "maintenance/tickets/<int:pk>/resolve/",
        maintenance.TicketResolveApi.as_view(),
        name="maintenance-ticket-resolve",
    ),
    path("maintenance/tickets/<int:pk>/close/", maintenance.TicketCloseApi.as_view(), name="maintenance-ticket-close"),
    path("maintenance/windows/", maintenance.WindowListCreateApi.as_view(), name="maintenance-window-list"),
    path("maintenance/windows/<int:pk>/", maintenance.WindowDetailApi.as_view(), name="maintenance-window-detail"),
    path(
        "maintenance/windows/<int:pk>/cancel/", maintenance.WindowCancelApi.as_view(), name="maintenance-window-cancel"
    ),
    # usage sessions
    path("usage-sessions/", usage.UsageSessionListStartApi.as_view(), name="usage-session-list"),
    path("usage-sessions/<int:pk>/", usage.UsageSessionDetailApi.as_view(), name="usage-session-detail"),
    path("usage-sessions/<int:pk>/stop/", usage.UsageSessionStopApi.as_view(), name="usage-session-stop"),
]
