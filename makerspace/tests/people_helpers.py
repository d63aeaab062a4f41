"""Helpers shared by the people-and-access tests (invites, bulk, skill requests, badges, incidents, ratings)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from makerspace.tests import factories as f
from makrx.tests.cache_reset import reset_cache

MS = "/api/v1/makerspace"


def staff_client(client_for, makerspace, role="manager"):
    """A client signed in as a user holding ``role`` in ``makerspace``."""
    client = client_for()
    client.member = f.MemberFactory(user=client.user, makerspace=makerspace, role=role)
    return client


def count_queries(client, url, params) -> tuple[int, dict]:
    """(queries, json) of one GET, with a cold cache."""
    reset_cache()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured), response.json()
