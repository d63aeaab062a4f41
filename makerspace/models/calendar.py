"""Secret per-user tokens that address iCalendar feeds."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from makrx.models import TimeStampedModel


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(TimeStampedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar token of {self.user}"
