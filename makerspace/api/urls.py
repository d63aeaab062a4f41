"""API routes of the makerspace app under /api/v1/makerspace/ (paths of DESIGN.md §5.1 are stable)."""

from django.urls import path

from makerspace.api.views import (
    analytics,
    badges,
    calendar,
    equipment,
    incidents,
    intervals,
    inventory,
    invites,
    maintenance,
    members,
    plans,
    pricing,
    project_bom,
    project_files,
    projects,
    providers,
    ratings,
    reservations,
    skills,
    space_settings,
    spaces,
    usage,
    waitlist,
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
    # space settings (managers)
    path("makerspaces/<int:pk>/settings/", space_settings.SpaceSettingsApi.as_view(), name="makerspace-settings"),
    path(
        "makerspaces/<int:pk>/settings/export/",
        space_settings.SpaceSettingsExportApi.as_view(),
        name="makerspace-settings-export",
    ),
    path(
        "makerspaces/<int:pk>/settings/import/",
        space_settings.SpaceSettingsImportApi.as_view(),
        name="makerspace-settings-import",
    ),
    # members
    path("members/", members.MemberListApi.as_view(), name="member-list"),
    path("members/bulk/", members.MemberBulkApi.as_view(), name="member-bulk"),
    path("members/export.csv", members.MemberExportApi.as_view(), name="member-export"),
    path("members/<int:pk>/", members.MemberDetailApi.as_view(), name="member-detail"),
    path("members/<int:pk>/approve/", members.MemberApproveApi.as_view(), name="member-approve"),
    path("members/<int:pk>/reject/", members.MemberRejectApi.as_view(), name="member-reject"),
    path("members/<int:pk>/suspend/", members.MemberSuspendApi.as_view(), name="member-suspend"),
    path("members/<int:pk>/reactivate/", members.MemberReactivateApi.as_view(), name="member-reactivate"),
    path("members/<int:pk>/skills/", members.MemberSkillListGrantApi.as_view(), name="member-skills"),
    path("members/<int:pk>/skill-events/", skills.MemberSkillEventListApi.as_view(), name="member-skill-events"),
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
    path("skill-requests/", skills.SkillRequestListCreateApi.as_view(), name="skill-request-list"),
    path("skill-requests/<int:pk>/approve/", skills.SkillRequestApproveApi.as_view(), name="skill-request-approve"),
    path("skill-requests/<int:pk>/reject/", skills.SkillRequestRejectApi.as_view(), name="skill-request-reject"),
    # equipment
    path("equipment/", equipment.EquipmentListCreateApi.as_view(), name="equipment-list"),
    path("equipment/<int:pk>/", equipment.EquipmentDetailApi.as_view(), name="equipment-detail"),
    path("equipment/<int:pk>/status/", equipment.EquipmentStatusApi.as_view(), name="equipment-status"),
    path("equipment/<int:pk>/ratings/", ratings.EquipmentRatingListSetApi.as_view(), name="equipment-ratings"),
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
    path("reservations/<int:pk>/approve/", reservations.ReservationApproveApi.as_view(), name="reservation-approve"),
    path("reservations/<int:pk>/reject/", reservations.ReservationRejectApi.as_view(), name="reservation-reject"),
    path("reservations/<int:pk>/events/", reservations.ReservationEventListApi.as_view(), name="reservation-events"),
    # waiting list
    path("waitlist/", waitlist.WaitlistListCreateApi.as_view(), name="waitlist-list"),
    path("waitlist/<int:pk>/", waitlist.WaitlistDetailApi.as_view(), name="waitlist-detail"),
    path("waitlist/<int:pk>/claim/", waitlist.WaitlistClaimApi.as_view(), name="waitlist-claim"),
    path("waitlist/<int:pk>/leave/", waitlist.WaitlistLeaveApi.as_view(), name="waitlist-leave"),
    # pricing
    path("equipment/<int:pk>/price/", pricing.EquipmentPriceApi.as_view(), name="equipment-price"),
    path("cost-rules/", pricing.CostRuleListCreateApi.as_view(), name="cost-rule-list"),
    path("cost-rules/<int:pk>/", pricing.CostRuleDetailApi.as_view(), name="cost-rule-detail"),
    path("promo-codes/", pricing.PromoCodeListCreateApi.as_view(), name="promo-code-list"),
    path("promo-codes/<int:pk>/", pricing.PromoCodeDetailApi.as_view(), name="promo-code-detail"),
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
    path("maintenance/intervals/", intervals.IntervalListCreateApi.as_view(), name="maintenance-interval-list"),
    path("maintenance/intervals/<int:pk>/", intervals.IntervalDetailApi.as_view(), name="maintenance-interval-detail"),
    path("maintenance/windows/", maintenance.WindowListCreateApi.as_view(), name="maintenance-window-list"),
    path("maintenance/windows/<int:pk>/", maintenance.WindowDetailApi.as_view(), name="maintenance-window-detail"),
    path(
        "maintenance/windows/<int:pk>/cancel/", maintenance.WindowCancelApi.as_view(), name="maintenance-window-cancel"
    ),
    # usage sessions
    path("usage-sessions/", usage.UsageSessionListStartApi.as_view(), name="usage-session-list"),
    path("usage-sessions/<int:pk>/", usage.UsageSessionDetailApi.as_view(), name="usage-session-detail"),
    path("usage-sessions/<int:pk>/stop/", usage.UsageSessionStopApi.as_view(), name="usage-session-stop"),
    # invitations (the accept path's token is a credential: masked in logs)
    path("makerspaces/<int:pk>/invites/", invites.MakerspaceInviteListCreateApi.as_view(), name="makerspace-invites"),
    path("invites/<int:pk>/resend/", invites.InviteResendApi.as_view(), name="invite-resend"),
    path("invites/<int:pk>/revoke/", invites.InviteRevokeApi.as_view(), name="invite-revoke"),
    path("invites/<str:token>/accept/", invites.InviteAcceptApi.as_view(), name="invite-accept"),
    # badges and safety incidents
    path("badges/", badges.BadgeListCreateApi.as_view(), name="badge-list"),
    path("badges/<int:pk>/", badges.BadgeDetailApi.as_view(), name="badge-detail"),
    path("members/<int:pk>/badges/", badges.MemberBadgeListApi.as_view(), name="member-badges"),
    path("incidents/", incidents.IncidentListCreateApi.as_view(), name="incident-list"),
    path("incidents/<int:pk>/", incidents.IncidentDetailApi.as_view(), name="incident-detail"),
    path("incidents/<int:pk>/investigate/", incidents.IncidentInvestigateApi.as_view(), name="incident-investigate"),
    path("incidents/<int:pk>/close/", incidents.IncidentCloseApi.as_view(), name="incident-close"),
    # inventory
    path("inventory/items/", inventory.ItemListCreateApi.as_view(), name="inventory-item-list"),
    path("inventory/items/import/", inventory.ItemImportApi.as_view(), name="inventory-item-import"),
    path("inventory/items/export/", inventory.ItemExportApi.as_view(), name="inventory-item-export"),
    path("inventory/items/<int:pk>/", inventory.ItemDetailApi.as_view(), name="inventory-item-detail"),
    path(
        "inventory/items/<int:pk>/movements/",
        inventory.ItemMovementListCreateApi.as_view(),
        name="inventory-item-movements",
    ),
    path("inventory/items/<int:pk>/label.png", inventory.ItemLabelApi.as_view(), name="inventory-item-label"),
    path("inventory/low-stock/", inventory.LowStockApi.as_view(), name="inventory-low-stock"),
    path("inventory/quick-reorder/", inventory.QuickReorderApi.as_view(), name="inventory-quick-reorder"),
    path("inventory/movements/export/", inventory.LedgerExportApi.as_view(), name="inventory-ledger-export"),
    # projects
    path("projects/", projects.ProjectListCreateApi.as_view(), name="project-list"),
    path("projects/featured/", projects.ProjectFeaturedApi.as_view(), name="project-featured"),
    path("projects/trending/", projects.ProjectTrendingApi.as_view(), name="project-trending"),
    path("projects/<int:pk>/", projects.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<int:pk>/fork/", projects.ProjectForkApi.as_view(), name="project-fork"),
    path("projects/<int:pk>/like/", projects.ProjectLikeApi.as_view(), name="project-like"),
    path("projects/<int:pk>/unlike/", projects.ProjectUnlikeApi.as_view(), name="project-unlike"),
    path("projects/<int:pk>/bookmark/", projects.ProjectBookmarkApi.as_view(), name="project-bookmark"),
    path("projects/<int:pk>/unbookmark/", projects.ProjectUnbookmarkApi.as_view(), name="project-unbookmark"),
    path("projects/<int:pk>/feature/", projects.ProjectFeatureApi.as_view(), name="project-feature"),
    path(
        "projects/<int:pk>/collaborators/",
        projects.ProjectCollaboratorListApi.as_view(),
        name="project-collaborators",
    ),
    path(
        "projects/<int:pk>/collaborators/accept/",
        projects.ProjectCollaboratorAcceptApi.as_view(),
        name="project-collaborator-accept",
    ),
    path("projects/<int:pk>/comments/", projects.ProjectCommentListApi.as_view(), name="project-comments"),
    path(
        "projects/<int:pk>/comments/<int:comment_id>/",
        projects.ProjectCommentDetailApi.as_view(),
        name="project-comment-detail",
    ),
    path("projects/<int:pk>/tasks/", projects.ProjectTaskListApi.as_view(), name="project-tasks"),
    path("projects/<int:pk>/tasks/<int:task_id>/", projects.ProjectTaskDetailApi.as_view(), name="project-task-detail"),
    path("projects/<int:pk>/milestones/", projects.ProjectMilestoneListApi.as_view(), name="project-milestones"),
    path(
        "projects/<int:pk>/milestones/<int:milestone_id>/",
        projects.ProjectMilestoneDetailApi.as_view(),
        name="project-milestone-detail",
    ),
    path("projects/<int:pk>/files/", project_files.ProjectFileListApi.as_view(), name="project-files"),
    path(
        "projects/<int:pk>/files/<int:file_id>/",
        project_files.ProjectFileDetailApi.as_view(),
        name="project-file-detail",
    ),
    path("projects/<int:pk>/cover/", project_files.ProjectCoverApi.as_view(), name="project-cover"),
    path("projects/<int:pk>/bom/", project_bom.BOMLineListApi.as_view(), name="project-bom"),
    path("projects/<int:pk>/bom/totals/", project_bom.BOMTotalsApi.as_view(), name="project-bom-totals"),
    path(
        "projects/<int:pk>/bom/reserve-from-inventory/",
        project_bom.BOMReserveApi.as_view(),
        name="project-bom-reserve",
    ),
    path("projects/<int:pk>/bom/<int:line_id>/", project_bom.BOMLineDetailApi.as_view(), name="project-bom-line"),
    path(
        "projects/<int:pk>/bom/<int:line_id>/transition/",
        project_bom.BOMLineTransitionApi.as_view(),
        name="project-bom-line-transition",
    ),
    # service providers
    path("providers/", providers.ProviderListApi.as_view(), name="provider-list"),
    path("providers/me/", providers.ProviderMeApi.as_view(), name="provider-me"),
    path("providers/<int:pk>/", providers.ProviderDetailApi.as_view(), name="provider-detail"),
    path("providers/<int:pk>/verify/", providers.ProviderVerifyApi.as_view(), name="provider-verify"),
]
