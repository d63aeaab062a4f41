"""Run Django in a child process with a chosen environment (settings are read at import)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent.parent
GOOD_SECRET_KEY = "k7#Qm2!vZp9@Lx4$Rt6%Wn8^Yb1&Hc3*Jd5(Fg0)Sa-Ue=Io+Kl_Mz"
PASSTHROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH")


def server_database_url() -> str:
    """The test run's PostgreSQL server, database `postgres` (always there; child processes only read)."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/makrx")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def base_env(**overrides: str) -> dict[str, str]:
    """A minimal environment: nothing from the test run leaks in except what is asked for."""
    env = {name: os.environ[name] for name in PASSTHROUGH if name in os.environ}
    env["ENV_FILE"] = "/nonexistent/.env"
    env["DJANGO_SETTINGS_MODULE"] = "makrx.settings"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(overrides)
    return env


def production_env(**overrides: str) -> dict[str, str]:
    """A production environment that passes every startup check; override one value to break it."""
    env = base_env(
        ENVIRONMENT="production",
        SECRET_KEY=GOOD_SECRET_KEY,
        DEBUG="false",
        ALLOWED_HOSTS="makrx.example.com",
        CSRF_TRUSTED_ORIGINS="https://makrx.example.com",
        CORS_ORIGINS="https://app.makrx.example.com",
        DATABASE_URL=server_database_url(),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2"),
        CELERY_BROKER_URL="",
        LOG_FORMAT="json",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run_python(
    code: str, env: dict[str, str], *, setup_django: bool = False, timeout: float = 60
) -> subprocess.CompletedProcess:
    if setup_django:
        code = "import django\ndjango.setup()\n" + code
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
