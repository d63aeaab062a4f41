"""Two deployments on loopback, each with its own database, talking HTTP: this test process serves the store
(``live_server``, the test database) and a ``runserver`` subprocess serves the makerspaces (database
``<test db>_peer``). Once with the API key, once with the HMAC signature."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection

from bridge.models import InboundDelivery, OutboxMessage
from bridge.tests import helpers
from makrx.models import Notification
from makrx.tests.netutils import free_port
from makrx.tests.subprocess_env import BASE_DIR, base_env, run_manage, run_python
from store.models import ServiceOrder

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

KEY = "two-deployments-api-key"
SECRET = "two-deployments-hmac-secret"


def _peer_database_url() -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/makrx"))
    return urlunsplit(parts._replace(path=f"/{parts.path.strip('/')}_peer"))


@pytest.fixture(scope="module")
def peer_database(tmp_path_factory):
    """A fresh, migrated database for the makerspace deployment (made once per module)."""
    url = _peer_database_url()
    name = urlsplit(url).path.strip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    media = tmp_path_factory.mktemp("peer_media")
    env = base_env(
        ENVIRONMENT="development",
        DATABASE_URL=url,
        REDIS_URL="",
        CELERY_BROKER_URL="",
        CELERY_TASK_ALWAYS_EAGER="true",
        RATELIMIT_ENABLE="false",
        MEDIA_ROOT=str(media),
        LOG_LEVEL="WARNING",
    )
    migrated = run_manage("migrate", "--noinput", env=env, timeout=600)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    setup = run_python(
        "import json\n"
        "from makerspace.tests.factories import InventoryItemFactory, ServiceProviderFactory, job_space\n"
        "space = job_space(name='Peer space', address='Pune 411001')\n"
        "provider = ServiceProviderFactory(makerspaces=[space])\n"
        "InventoryItemFactory(makerspace=space, sku='PLA', name='PLA filament', unit='g', stock=50000)\n"
        "print(json.dumps({'space': space.pk, 'provider_user': provider.user_id}))\n",
        env,
        setup_django=True,
        timeout=120,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    yield {"env": env, "database_url": url, **json.loads(setup.stdout.strip().splitlines()[-1])}
    connection.close()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"peer server exited: {process.stderr.read()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("peer server did not come up")


@pytest.fixture
def peer(peer_database, live_server, request):
    """The makerspace deployment, started with the credentials of the mode under test."""
    mode = request.param
    port = free_port()
    env = {
        **peer_database["env"],
        "STORE_API_URL": live_server.url,
        "MAKRCAVE_API_KEY": KEY if mode == "api_key" else "",
        "CAVE_WEBHOOK_SECRET": SECRET if mode == "hmac" else "",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, process)
        yield {**peer_database, "mode": mode, "url": url, "env": env}
    finally:
        process.terminate()
        process.wait(10)


def _until(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


@pytest.mark.parametrize("peer", ["api_key", "hmac"], indirect=True)
def test_store_and_makerspace_deployments_talk_over_signed_http(peer, settings, tmp_path, client_for, api_client):
    helpers.configure(settings, tmp_path)
    settings.MAKRCAVE_API_URL = peer["url"]
    settings.MAKRCAVE_API_KEY = KEY if peer["mode"] == "api_key" else ""
    settings.CAVE_WEBHOOK_SECRET = SECRET if peer["mode"] == "hmac" else ""
    world_material = helpers.MaterialFactory()
    printer = helpers.ServiceCapabilityFactory(makerspace_ref=peer["space"], bed_x_mm=350, bed_y_mm=350)
    printer.materials.set([world_material])
    customer = client_for(email=f"{peer['mode']}@example.test")
    created = helpers.order_service(customer, world_material)

    helpers.pay(customer, api_client, created["order"]["number"])  # commits: delivery over HTTP to the peer

    create = OutboxMessage.objects.get(kind="job.create")
    assert create.status == "sent", create.last_error
    assert create.delivery_attempts.get().transport == "http"
    job_id = create.response["job_id"]
    assert create.response["accept_url"] == f"{peer['url']}/api/v1/makerspace/jobs/{job_id}/accept/"
    # The peer reported "received" back over HTTP.
    _until(lambda: ServiceOrder.objects.get(pk=created["id"]).status == "pending_assignment")

    acted = run_python(
        "from makerspace.models import ServiceJob\n"
        "from makerspace.services import jobs\n"
        "from makrx.models import User\n"
        f"job = ServiceJob.objects.get(pk={int(job_id)})\n"
        f"user = User.objects.get(pk={peer['provider_user']})\n"
        "jobs.job_accept(job=job, actor=user)\n"
        "jobs.job_start(job=job, actor=user)\n"
        "jobs.job_complete(job=job, actor=user)\n"
        "jobs.job_ship(job=job, actor=user, tracking='TRACK-1')\n"
        "from bridge.models import OutboxMessage\n"
        f"mine = OutboxMessage.objects.filter(kind='job.status', payload__job_id='{job_id}')\n"
        "print(sorted(mine.values_list('status', flat=True)))\n",
        peer["env"],
        setup_django=True,
        timeout=120,
    )
    assert acted.returncode == 0, acted.stderr[-3000:]
    assert acted.stdout.strip().splitlines()[-1] == str(["sent"] * 5)  # all five statuses delivered over HTTP

    service_order = _until(lambda: ServiceOrder.objects.filter(pk=created["id"], status="shipped").first())
    assert service_order.job_ref == job_id
    assert list(service_order.events.filter(kind="job_status").order_by("id").values_list("to_status", flat=True)) == [
        "pending_assignment",
        "assigned_to_provider",
        "in_production",
        "ready_for_shipping",
        "shipped",
    ]
    assert Notification.objects.filter(user=customer.user, kind="service_order.status_changed").count() == 5
    method = "api_key" if peer["mode"] == "api_key" else "signature"
    inbound = InboundDelivery.objects.filter(endpoint="job.status")
    assert inbound.count() == 5
    assert set(inbound.values_list("transport", "verified", "auth_method", "result", "apply_result")) == {
        ("http", True, method, "queued", "applied")
    }
