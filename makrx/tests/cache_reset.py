"""Empty this test worker's cache entries only (xdist workers share one Redis database under their own prefix)."""

from django.core.cache import cache


def reset_cache() -> None:
    """``cache.clear()`` would FLUSHDB, wiping the other worker's rate-limit counters and cached reads mid-test."""
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
