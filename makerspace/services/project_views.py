"""Project view counts without a database write per view: counted in the cache, flushed in batches.

Each view adds one to a per-day counter in the shared cache (a Redis hash ``HINCRBY`` with django-redis; a
cached dict elsewhere, i.e. the single-process development server). ``project_views_flush`` (a periodic task)
moves the counters into ``ProjectViewDay`` rows and ``Project.view_count`` in one transaction per day. If the
cache is lost between flushes, those views are lost: acceptable for a popularity signal, never for money.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from makerspace.models import Project, ProjectViewDay

logger = logging.getLogger(__name__)

KEY = "project-views:{day}"
FLUSHING = "project-views:{day}:flushing"
DAYS_KEPT = 2  # today's and yesterday's counters are flushed; older ones expire
TTL = 3 * 24 * 3600
LOCK = "project-views:flush-lock"
LOCK_SECONDS = 300


def _redis():
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except (ImportError, NotImplementedError):
        return None


def _key(template: str, day: date) -> str:
    return cache.make_key(template.format(day=day.isoformat()))


def project_view_record(*, project_id: int, day: date | None = None) -> None:
    """Count one view of a project (the caller has checked the viewer may see it)."""
    day = day or timezone.now().date()
    client = _redis()
    if client is not None:
        key = _key(KEY, day)
        try:
            pipe = client.pipeline()
            pipe.hincrby(key, str(project_id), 1)
            pipe.expire(key, TTL)
            pipe.execute()
        except Exception:  # noqa: BLE001 - a cache outage loses a view, never the page
            logger.warning("project view of %s not counted: cache unavailable", project_id)
        return
    name = KEY.format(day=day.isoformat())
    counts = cache.get(name) or {}
    counts[project_id] = counts.get(project_id, 0) + 1
    cache.set(name, counts, TTL)


def _take(day: date) -> dict[int, int]:
    """Take the day's counters out of the cache (a leftover from a crashed flush first)."""
    client = _redis()
    if client is None:
        name = KEY.format(day=day.isoformat())
        counts = cache.get(name) or {}
        cache.delete(name)
        return {int(pk): int(n) for pk, n in counts.items()}
    key, flushing = _key(KEY, day), _key(FLUSHING, day)
    if not client.exists(flushing):
        try:
            client.rename(key, flushing)
        except Exception:  # noqa: BLE001 - redis raises ResponseError when the key does not exist
            return {}
    raw = client.hgetall(flushing)
    return {int(pk): int(n) for pk, n in raw.items()}


def _done(day: date) -> None:
    client = _redis()
    if client is not None:
        client.delete(_key(FLUSHING, day))


def project_views_flush(*, today: date | None = None) -> int:
    """Write the counted views into the database; returns the views written. Run periodically."""
    today = today or timezone.now().date()
    written = 0
    if not cache.add(LOCK, 1, timeout=LOCK_SECONDS):
        return 0  # another flush is running: it takes these counters
    try:
        written = _flush_days(today)
    finally:
        cache.delete(LOCK)
    return written


def _flush_days(today: date) -> int:
    written = 0
    for offset in range(DAYS_KEPT):
        day = today - timedelta(days=offset)
        counts = _take(day)
        if counts:
            existing = set(Project.objects.filter(pk__in=counts).values_list("pk", flat=True))
            with transaction.atomic():
                for project_id in sorted(existing):
                    views = counts[project_id]
                    row, created = ProjectViewDay.objects.get_or_create(
                        project_id=project_id, day=day, defaults={"views": views}
                    )
                    if not created:
                        ProjectViewDay.objects.filter(pk=row.pk).update(views=F("views") + views)
                    Project.objects.filter(pk=project_id).update(view_count=F("view_count") + views)
                    written += views
        _done(day)
    return written
