"""Platform core reads."""

from __future__ import annotations

from django.db.models import QuerySet

from makrx.auth import roles
from makrx.models import Page


def page_list(*, user) -> QuerySet[Page]:
    """Published pages for everyone; staff see drafts too."""
    qs = Page.objects.all().order_by("title")
    if not (user and user.is_authenticated and (user.is_staff or roles.user_roles(user) & roles.STAFF_ROLES)):
        qs = qs.filter(published=True)
    return qs
