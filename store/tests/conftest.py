"""Store test fixtures shared by several modules."""

import pytest
from django.conf import settings


@pytest.fixture
def redis_commands(monkeypatch):
    """The names of the Redis commands sent from now on, whichever client sends them."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("counts the commands of the Redis cache")
    import redis

    sent: list[str] = []
    original = redis.client.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]).upper())
        return original(self, *args, **options)

    monkeypatch.setattr(redis.client.Redis, "execute_command", counting)
    return sent
