"""Platform core models: the base model, users, CMS pages, idempotency records and notifications."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    """Base for every model: timezone-aware UTC creation and update times."""

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person known to the platform; Keycloak's ``sub`` is the identity, never the email."""

    keycloak_sub = models.CharField(
        max_length=255, unique=True, null=True, blank=True, help_text="Keycloak subject (token `sub`)."
    )
    # Platform roles last seen in a token or OIDC login (see makrx.auth.roles).
    roles = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Page(TimeStampedModel):
    """A simple CMS page (about, terms, help) read by the single-page apps."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField(blank=True)
    published = models.BooleanField(default=False, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class IdempotencyKey(TimeStampedModel):
    """The first result of a retried write (checkout, payment)."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    # The caller: user id, cart token or service name; keys are private to their owner.
    owner = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    # While in progress: the running request's lease. Once it expires (the request died) a retry may take the key
    # over; the token tells the runner whether the key is still its own when it finishes or gives up.
    locked_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, default="")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "owner", "key"], name="idempotency_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


# --- notifications (services in makrx.notifications) ------------------------------------------------------------
# Makerspaces are named by id only: the platform core imports no app.


class Notification(models.Model):
    """One event told to one user: rendered once (subject and body as sent), then delivered per channel."""

    class EmailState(models.TextChoices):
        PENDING = "pending", "Pending"
        DIGEST = "digest", "Waiting for the digest"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not sent (preference or no address)"
        FAILED = "failed", "Failed"

    user = models.ForeignKey("makrx.User", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=100, db_index=True)
    priority = models.CharField(max_length=10, default="normal")
    makerspace_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # In-app channel: listed under /api/v1/notifications/ when the user keeps it on for this kind.
    in_app = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Email channel: the sent marker is taken under a row lock, so a task that runs twice sends once.
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.PENDING)
    email_to = models.EmailField(blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "in_app", "-created_at"], name="notification_user_list_idx"),
            models.Index(fields=["email_state", "user"], name="notification_email_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class NotificationTemplate(TimeStampedModel):
    """An override of a kind's default templates, platform-wide (no makerspace) or for one makerspace."""

    kind = models.CharField(max_length=100, db_index=True)
    makerspace_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Empty: every makerspace (and notifications without one)."
    )
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "makerspace_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "makerspace_id"],
                name="notification_template_space_unique",
                condition=models.Q(makerspace_id__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                name="notification_template_platform_unique",
                condition=models.Q(makerspace_id__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({'makerspace ' + str(self.makerspace_id) if self.makerspace_id else 'platform'})"


class NotificationPreference(models.Model):
    """One user's choice for one kind and channel; without a row the channel's default applies."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        IN_APP = "in_app", "In-app"
        DIGEST = "digest", "Email in the digest (low-priority kinds)"

    user = models.ForeignKey("makrx.User", on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id", "kind", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="notification_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}/{self.channel}: {'on' if self.enabled else 'off'}"


class WebhookEndpoint(TimeStampedModel):
    """An outgoing, signed webhook of one makerspace (Slack/Discord-style integrations)."""

    makerspace_id = models.PositiveBigIntegerField(db_index=True)
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200, help_text="Signs each body: X-MakrX-Signature: sha256=<HMAC hex>.")
    kinds = models.JSONField(default=list, blank=True, help_text="Kinds to send; empty: every kind.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["makerspace_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} (makerspace {self.makerspace_id})"

    def wants(self, kind: str) -> bool:
        return self.active and (not self.kinds or kind in self.kinds)


class WebhookDelivery(models.Model):
    """One notification posted to one endpoint, with its attempts."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="webhook_deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "notification"], name="webhook_delivery_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.notification.kind} → {self.endpoint}"


# Platform payments live in their own package; imported here so Django registers them with the makrx app.
from makrx.payments.models import Payment, Refund, WebhookEvent  # noqa: E402, F401
