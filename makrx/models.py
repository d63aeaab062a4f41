"""Platform core models: the base model, users, CMS pages and idempotency records."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
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
