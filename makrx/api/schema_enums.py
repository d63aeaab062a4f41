"""The OpenAPI enum names of choice sets (drf-spectacular's ENUM_NAME_OVERRIDES), kept out of settings.py.

Several models name a choice field ``status``, ``kind``, ``role`` or ``process``; without a name per model the
schema generator invents ``Status0d3Enum``-style names and warns. Add a line here for every new choice field whose
name collides (``manage.py spectacular`` warns, and ``test_settings_production`` fails, until you do). Plain data:
settings import it before the apps load.
"""

ENUM_NAME_OVERRIDES = {
    "MemberStatusEnum": "makerspace.models.members.Member.Status",
    "EquipmentStatusEnum": "makerspace.models.equipment.Equipment.Status",
    "EquipmentTypeEnum": "makerspace.models.equipment.Equipment.Type",
    # Several models name their choice field "kind": one enum name per model keeps the schema stable.
    "CostRuleKindEnum": "makerspace.models.pricing.CostRule.Kind",
    "DiscountKindEnum": "makerspace.models.pricing.PromoCode.Kind",
    "ReservationEventKindEnum": "makerspace.models.reservations.ReservationEvent.Kind",
    "StockMovementKindEnum": "store.models.stock.StockMovement.Kind",
    "InventoryMovementKindEnum": "makerspace.models.inventory.StockMovement.Kind",
    "MemberRoleEnum": "makerspace.models.members.Member.Role",
    "CollaboratorRoleEnum": "makerspace.models.projects.ProjectCollaborator.Role",
    "ProviderProcessEnum": "makerspace.models.providers.ProviderCapability.Process",
    "ServiceProcessEnum": "store.models.quotes.Process",
    "IncidentStatusEnum": "makerspace.models.incidents.SafetyIncident.Status",
    "TicketStatusEnum": "makerspace.models.maintenance.MaintenanceTicket.Status",
    "SubscriptionStatusEnum": "makerspace.models.plans.Subscription.Status",
    "ProjectStatusEnum": "makerspace.models.projects.Project.Status",
    "ProjectTaskStatusEnum": "makerspace.models.projects.ProjectTask.Status",
    "ReservationStatusEnum": "makerspace.models.reservations.Reservation.Status",
    "SkillRequestStatusEnum": "makerspace.models.skills.SkillRequest.Status",
    "WaitlistStatusEnum": "makerspace.models.waitlist.WaitlistEntry.Status",
    "OrderStatusEnum": "store.models.orders.Order.Status",
    "PaymentGatewayEnum": "makrx.payments.models.Gateway",
    "InvoiceStatusEnum": "makerspace.models.invoices.Invoice.Status",
    "InvoicePaymentKindEnum": "makerspace.models.invoices.InvoicePayment.Kind",
    "InvoicePayMethodEnum": [("razorpay", "razorpay"), ("stripe", "stripe"), ("wallet", "wallet")],
    "OfflinePaymentMethodEnum": [
        ("cash", "cash"),
        ("bank_transfer", "bank_transfer"),
        ("upi_offline", "upi_offline"),
    ],
    "BillableRecordKindEnum": "makerspace.models.billing.BillableRecord.Kind",
    "WalletEntryKindEnum": "makerspace.models.wallet.WalletEntry.Kind",
    "ReviewStatusEnum": "store.models.reviews.Review.Status",
    "ServiceOrderStatusEnum": "store.models.service_orders.ServiceOrder.Status",
    "UploadStatusEnum": "store.models.uploads.Upload.Status",
    "UploadKindEnum": "store.models.uploads.Upload.Kind",
    "ServiceJobStatusEnum": "makerspace.models.jobs.ServiceJob.Status",
    "ServiceJobPriorityEnum": "makerspace.models.jobs.ServiceJob.Priority",
    # Keeps the maintenance tickets' enum its earlier name now that jobs have a "priority" too.
    "PriorityEnum": "makerspace.models.maintenance.MaintenanceTicket.Priority",
    "OutboxStatusEnum": "bridge.models.outbox.OutboxMessage.Status",
    "OutboxKindEnum": "bridge.models.outbox.OutboxMessage.Kind",
}
