"""Platform core writes: CMS pages."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from makrx.errors import ConflictError
from makrx.models import Page


@transaction.atomic
def page_save(*, page: Page | None = None, **fields) -> Page:
    """Create or update a page; publishing stamps ``published_at`` once."""
    page = page or Page()
    for name, value in fields.items():
        setattr(page, name, value)
    if not page.slug:
        page.slug = slugify(page.title)[:200] or "page"
    if Page.objects.filter(slug=page.slug).exclude(pk=page.pk).exists():
        raise ConflictError(f"A page with slug {page.slug!r} already exists.", code="duplicate")
    if page.published and page.published_at is None:
        page.published_at = timezone.now()
    page.full_clean(exclude=["slug"] if page.pk else None)
    page.save()
    return page
