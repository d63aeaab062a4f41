"""Suite-wide fixtures: real PostgreSQL and Redis, a clean cache per test, API clients."""

from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # Each xdist worker gets its own cache namespace on the shared Redis.
    prefix = f"makrx-test-{os.getpid()}-{worker}"
    if worker != "main":
        # xdist workers inherit the controller's environment (and its prefix): override it.
        os.environ["CACHE_KEY_PREFIX"] = prefix
    else:
        os.environ.setdefault("CACHE_KEY_PREFIX", prefix)
    # pytest-django has usually loaded settings already, so set the prefix on them as well
    # (before any cache is created); the per-test clear below only touches this prefix.
    from django.conf import settings

    if settings.configured:
        settings.CACHES["default"]["KEY_PREFIX"] = os.environ["CACHE_KEY_PREFIX"]


@pytest.fixture(autouse=True)
def _clean_cache():
    from makrx.tests.cache_reset import reset_cache

    reset_cache()
    yield
    reset_cache()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def make_user(db):
    """Create a user with platform roles: make_user("alice", roles=["admin"])."""
    from makrx.auth.roles import staff_flags_for_roles
    from makrx.models import User

    counter = {"n": 0}

    def factory(username: str | None = None, *, roles=(), **fields):
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        is_staff, is_superuser = staff_flags_for_roles(roles)
        fields.setdefault("email", f"{username}@example.test")
        fields.setdefault("is_staff", is_staff)
        fields.setdefault("is_superuser", is_superuser)
        return User.objects.create_user(username=username, roles=list(roles), keycloak_sub=f"sub-{username}", **fields)

    return factory


@pytest.fixture
def client_for(make_user):
    """An APIClient authenticated as a (new or given) user: client_for(roles=["store_admin"])."""
    from rest_framework.test import APIClient

    def factory(user=None, **kwargs):
        user = user or make_user(**kwargs)
        client = APIClient()
        client.force_authenticate(user=user)
        client.user = user
        return client

    return factory
