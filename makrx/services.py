"""Platform core writes: CMS pages (platform administrators only, HTML sanitised on save)."""

from __future__ import annotations

import nh3
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from makrx.auth import roles
from makrx.errors import ConflictError, PermissionDenied
from makrx.models import Page

# Page bodies are rendered as HTML by the single-page apps: keep formatting, drop anything that runs or loads
# (scripts, event handlers, style attributes, iframes, svg, javascript:/data: URLs). nh3 works from allow-lists,
# so whatever is not listed here or in its defaults is removed.
PAGE_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def page_html_clean(html: str) -> str:
    """``html`` reduced to safe formatting tags and attributes."""
    return nh3.clean(html, url_schemes=set(PAGE_URL_SCHEMES), link_rel="noopener noreferrer")


def _require_platform_admin(actor) -> None:
    # Terms and Privacy are legal texts: staff of one makerspace or of the store must not rewrite them.
    if not roles.is_platform_admin(actor):
        raise PermissionDenied("Only platform administrators may edit pages.")


@transaction.atomic
def page_save(*, actor, page: Page | None = None, **fields) -> Page:
    """Create or update a page as ``actor``; the body is sanitised and publishing stamps ``published_at`` once."""
    _require_platform_admin(actor)
    page = page or Page()
    for name, value in fields.items():
        setattr(page, name, value)
    page.body = page_html_clean(page.body or "")
    if not page.slug:
        page.slug = slugify(page.title)[:200] or "page"
    if Page.objects.filter(slug=page.slug).exclude(pk=page.pk).exists():
        raise ConflictError(f"A page with slug {page.slug!r} already exists.", code="duplicate")
    if page.published and page.published_at is None:
        page.published_at = timezone.now()
    page.full_clean(exclude=["slug"] if page.pk else None)
    page.save()
    return page


@transaction.atomic
def page_delete(*, actor, page: Page) -> None:
    """Delete a page as ``actor``."""
    _require_platform_admin(actor)
    page.delete()
