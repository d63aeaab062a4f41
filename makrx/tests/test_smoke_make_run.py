"""The `make run` path: fresh SQLite, migrate, seed (twice), runserver, with no other service."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from makrx.tests.netutils import free_port
from makrx.tests.subprocess_env import BASE_DIR, base_env, run_manage


def fetch(url: str, token: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


@pytest.mark.slow
def test_make_run_path_migrates_seeds_and_serves(tmp_path):
    env = base_env(
        ENVIRONMENT="development",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
        CELERY_BROKER_URL="",
        MEDIA_ROOT=str(tmp_path / "media"),
        DEV_TOKEN_KEY_PATH=str(tmp_path / "dev_token_key.pem"),
        LOG_LEVEL="WARNING",
    )

    migrated = run_manage("migrate", "--noinput", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stdout[-2000:] + migrated.stderr[-4000:]
    first_seed = run_manage("seed", env=env, timeout=300)
    assert first_seed.returncode == 0, first_seed.stdout[-2000:] + first_seed.stderr[-4000:]
    second_seed = run_manage("seed", env=env, timeout=300)
    assert second_seed.returncode == 0, second_seed.stdout[-2000:] + second_seed.stderr[-4000:]
    status = run_manage("dbstatus", env=env)
    assert status.returncode == 0, status.stderr
    assert "pending: run manage.py migrate" not in status.stdout

    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        ready = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and ready is None:
            try:
                ready = fetch(f"{base}/health/readyz")
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.3)
        assert ready is not None, (
            f"runserver did not come up: {server.stderr.read() if server.poll() is not None else ''}"
        )

        status_code, _, body = ready
        assert status_code == 200, body
        assert json.loads(body)["status"] == "ready"
        assert set(json.loads(body)["checks"]) == {"database"}  # nothing else configured

        status_code, content_type, body = fetch(f"{base}/api/schema/")
        assert status_code == 200
        assert content_type.startswith("application/vnd.oai.openapi+json") or content_type.startswith(
            "application/json"
        )
        assert json.loads(body)["openapi"].startswith("3.")

        for path in ("/docs", "/admin/login/"):
            status_code, content_type, _ = fetch(f"{base}{path}")
            assert status_code == 200, path
            assert content_type.startswith("text/html")

        status_code, _, body = fetch(f"{base}/api/v1/pages/")
        assert status_code == 200
        assert {page["slug"] for page in json.loads(body)["results"]} >= {"about", "terms", "help"}

        # A living first run: the seeded admin's dev token sees sample data, not empty lists.
        minted = run_manage("dev_token", "--user", "admin", env=env)
        assert minted.returncode == 0, minted.stderr
        token = minted.stdout.strip()
        status_code, _, body = fetch(f"{base}/api/v1/auth/me", token)
        assert status_code == 200 and json.loads(body)["username"] == "admin", body
        assert json.loads(body)["is_superuser"] is True
        for path, at_least in (
            ("/api/v1/makerspace/members/", 5),
            ("/api/v1/makerspace/reservations/", 7),
            ("/api/v1/store/orders/", 5),
        ):
            status_code, _, body = fetch(f"{base}{path}", token)
            assert status_code == 200, (path, body)
            assert json.loads(body)["count"] >= at_least, (path, body)
        users = run_manage("shell", "-c", "from makrx.models import User; print(User.objects.count())", env=env)
        # admin, 5 makerspace samples, the service-jobs provider, 2 customers
        assert users.stdout.strip().splitlines()[-1] == "9", users.stdout
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
