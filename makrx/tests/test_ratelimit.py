"""Rate limits: per client IP on the shared Redis, 429 + Retry-After, proxies, fail closed."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django_redis import get_redis_connection
from rest_framework.test import APIClient

from makrx.tests.netutils import closed_port
from makrx.tests.test_health import redis_caches

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("makrx.tests.urls_for_tests"),
]

LIMITED = "/api/test/limited"


@pytest.fixture(autouse=True)
def _three_per_hour(settings):
    # An hour window: django-ratelimit windows roll at key-dependent instants, and a minute
    # window could roll in the middle of a test.
    settings.RATE_LIMITS = {"test_group": "3/h"}


def hit(client, n, **extra):
    return [client.get(LIMITED, **extra) for _ in range(n)]


def test_429_with_retry_after_and_error_format_after_the_limit(api_client):
    responses = hit(api_client, 4, HTTP_X_REQUEST_ID="rl-1")

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    refused = responses[-1]
    assert 1 <= int(refused["Retry-After"]) <= 3600
    body = refused.json()
    assert body["code"] == "rate_limited"
    assert body["request_id"] == "rl-1"
    assert body["detail"]


def test_plain_django_view_is_limited_too(api_client):
    responses = [api_client.get("/api/test/limited-plain") for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[-1].json()["code"] == "rate_limited"
    assert int(responses[-1]["Retry-After"]) >= 1


def test_count_is_shared_in_redis_across_clients():
    first, second = APIClient(), APIClient()

    hit(first, 2)
    statuses = [r.status_code for r in hit(second, 2)]

    assert statuses == [200, 429]
    assert cache.keys("rl:*"), "the counter lives in Redis"
    assert get_redis_connection("default").ping()


def test_other_client_ips_have_their_own_budget(api_client):
    hit(api_client, 3, REMOTE_ADDR="10.0.0.1")

    assert api_client.get(LIMITED, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert api_client.get(LIMITED, REMOTE_ADDR="10.0.0.2").status_code == 200


@override_settings(TRUST_PROXY=False)
def test_forged_forwarded_for_changes_nothing_without_trust_proxy(api_client):
    statuses = [
        api_client.get(LIMITED, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}", REMOTE_ADDR="10.0.0.9").status_code
        for i in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


@override_settings(TRUST_PROXY=True, NUM_PROXIES=1)
def test_keyed_on_forwarded_client_with_trust_proxy(api_client):
    # One proxy (REMOTE_ADDR) appends the real client; anything left of it is client-written.
    for _ in range(3):
        api_client.get(LIMITED, HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="10.0.0.1")

    assert api_client.get(LIMITED, HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert api_client.get(LIMITED, HTTP_X_FORWARDED_FOR="198.51.100.8", REMOTE_ADDR="10.0.0.1").status_code == 200
    # Prepending a forged hop does not give the same client a fresh budget.
    forged = api_client.get(LIMITED, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert forged.status_code == 429


@override_settings(TRUST_PROXY=True, NUM_PROXIES=2)
def test_num_proxies_picks_the_hop_the_trusted_proxies_saw(api_client):
    # Two proxies: the outer one wrote the client, the inner one wrote the outer one.
    for i in range(3):
        api_client.get(LIMITED, HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 198.51.100.7, 10.0.0.2", REMOTE_ADDR="10.0.0.3")

    refused = api_client.get(LIMITED, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7, 10.0.0.2", REMOTE_ADDR="10.0.0.3")
    other = api_client.get(LIMITED, HTTP_X_FORWARDED_FOR="198.51.100.8, 10.0.0.2", REMOTE_ADDR="10.0.0.3")

    assert refused.status_code == 429
    assert other.status_code == 200


@override_settings(TRUST_PROXY=True, NUM_PROXIES=3)
def test_short_forwarded_for_falls_back_to_the_leftmost_hop(api_client):
    from makrx.middleware import client_ip_from

    assert client_ip_from({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}) == "198.51.100.7"
    assert client_ip_from({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": " , "}) == "10.0.0.1"


def test_critical_limit_is_503_in_production_without_redis(api_client):
    with override_settings(IS_PRODUCTION=True, REDIS_URL=""):
        response = api_client.get(LIMITED)

    assert response.status_code == 503
    assert response.json()["code"] == "rate_limit_unavailable"


def test_critical_limit_is_503_when_the_cache_is_down(api_client):
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{closed_port()}/0")):
        response = api_client.get(LIMITED)

    assert response.status_code == 503
    assert response.json()["code"] == "rate_limit_unavailable"


def test_non_critical_limit_lets_requests_through_when_the_cache_is_down(rf):
    from makrx.ratelimit import rate_limit_check

    request = rf.get("/x")
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{closed_port()}/0")):
        rate_limit_check(request, "test_group", critical=False)  # no exception


def test_user_or_ip_key_counts_per_user(client_for, rf):
    from makrx.errors import RateLimited
    from makrx.ratelimit import rate_limit_check

    alice, bob = client_for().user, client_for().user
    for _ in range(3):
        request = rf.get("/x")
        request.user = alice
        rate_limit_check(request, "test_group", key="user_or_ip")
    request = rf.get("/x")
    request.user = alice
    with pytest.raises(RateLimited):
        rate_limit_check(request, "test_group", key="user_or_ip")
    request = rf.get("/x")
    request.user = bob
    rate_limit_check(request, "test_group", key="user_or_ip")


def test_rate_limits_setting_overrides_defaults(settings):
    from makrx.ratelimit import DEFAULT_RATES, _rate_for

    settings.RATE_LIMITS = {"checkout": "5/m"}

    assert _rate_for("checkout") == "5/m"
    assert _rate_for("uploads") == DEFAULT_RATES["uploads"]
    assert _rate_for("unknown-group") == DEFAULT_RATES["default"]
