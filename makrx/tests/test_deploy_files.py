"""Deploy files stay in step with settings: .env.example, docs, Dockerfile, compose, gunicorn."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml

from makrx.tests.netutils import free_port
from makrx.tests.subprocess_env import BASE_DIR, base_env, production_env, run_python

SETTINGS_ENV = re.compile(r'env\.(?:str|bool|int|float|list|dict|db|url|json)\(\s*"([A-Z0-9_]+)"')


def settings_variables() -> set[str]:
    return set(SETTINGS_ENV.findall((BASE_DIR / "makrx" / "settings.py").read_text()))


def env_example_variables() -> set[str]:
    names = set()
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_env_example_documents_every_setting():
    missing = settings_variables() - env_example_variables()

    assert not missing, f".env.example lacks {sorted(missing)}"


def test_operations_doc_documents_every_setting():
    doc = (BASE_DIR / "docs" / "operations.md").read_text()

    missing = {name for name in settings_variables() if f"`{name}`" not in doc}

    assert not missing, f"docs/operations.md lacks {sorted(missing)}"


def test_env_example_values_load_in_production(tmp_path):
    """The example file parses with the real settings once the secrets are filled in."""
    env = production_env(ENV_FILE=str(BASE_DIR / ".env.example"))
    for name in ("ALLOWED_HOSTS", "DEBUG", "CSRF_TRUSTED_ORIGINS", "CORS_ORIGINS"):
        env.pop(name)  # come from the file
    snippet = """
import django, json
django.setup()
from django.conf import settings
print(json.dumps({"hosts": settings.ALLOWED_HOSTS, "rates": settings.RATE_LIMITS, "issuer": settings.KEYCLOAK_ISSUER}))
"""
    result = run_python(snippet, env)

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["hosts"] == ["makrx.example.com"]
    assert data["rates"] == {}
    assert data["issuer"] == "https://auth.makrx.example.com/realms/makrx"


def test_gunicorn_config_reads_the_environment():
    settings = gunicorn_settings(
        GUNICORN_BIND="127.0.0.1:9001",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="2",
        GUNICORN_TIMEOUT="45",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        GUNICORN_KEEPALIVE="7",
        GUNICORN_ACCESS_LOG="-",
    )

    expected = {"bind": "127.0.0.1:9001", "workers": 3, "threads": 2, "worker_class": "gthread", "timeout": 45}
    expected |= {"graceful_timeout": 20, "keepalive": 7, "accesslog": "-"}
    assert {name: settings[name] for name in expected} == expected


def test_dockerfile_shape():
    text = (BASE_DIR / "Dockerfile").read_text()

    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert re.search(r"^USER makrx", text, re.M), "runs as a non-root user"
    assert "pip install -r requirements.txt" in text
    assert "collectstatic --noinput" in text
    assert re.search(r"HEALTHCHECK .*\n?.*/health/live", text)
    assert '"gunicorn", "-c", "gunicorn.conf.py"' in text
    assert ".env" in (BASE_DIR / ".dockerignore").read_text()


def test_compose_runs_every_service():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]

    assert {"postgres", "redis", "keycloak", "web", "worker", "beat"} <= set(services)
    assert "--import-realm" in services["keycloak"]["command"]
    assert any("deploy/keycloak" in volume for volume in services["keycloak"]["volumes"])
    assert (BASE_DIR / "deploy" / "keycloak" / "makrx-realm.json").exists()
    for name in ("web", "worker", "beat"):
        assert services[name]["env_file"] == ".env"
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def dockerfile_build_env() -> dict[str, str]:
    """The throwaway environment the Dockerfile gives collectstatic."""
    text = (BASE_DIR / "Dockerfile").read_text()
    block = text[text.index("RUN ENVIRONMENT=production") : text.index("python manage.py collectstatic")]
    return dict(re.findall(r"([A-Z_]+)=(\S+)", block))


def dockerfile_healthcheck() -> str:
    text = (BASE_DIR / "Dockerfile").read_text()
    return re.search(r'CMD python -c "(.+)" \|\| exit 1', text).group(1)


@pytest.mark.slow
def test_dockerfile_collectstatic_step_works_without_any_service(tmp_path):
    build_env = dockerfile_build_env()
    assert build_env["DATABASE_URL"].startswith("postgres://") and "invalid" in build_env["DATABASE_URL"]
    env = base_env(**build_env, STATIC_ROOT=str(tmp_path / "static"))

    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()  # the manifest production serves from
    assert (tmp_path / "static" / "admin").is_dir()
    assert (tmp_path / "static" / "drf_spectacular_sidecar").is_dir()


@pytest.mark.slow
def test_gunicorn_serves_liveness_with_production_settings(prod_env):
    port = free_port()
    env = prod_env(
        ALLOWED_HOSTS="makrx.example.com,.makrx.example.com",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="2",
        GUNICORN_KEEPALIVE_REQUESTS="3",
    )
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "makrx.wsgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and body is None:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/health/live", headers={"Host": "makrx.example.com"}
                )
                with urllib.request.urlopen(request, timeout=2) as response:
                    body = response.read().decode()
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.3)
        kept_alive = keep_alive_answers(port, requests=4) if body else None
        healthcheck = dockerfile_healthcheck().replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        probe = subprocess.run(  # noqa: S603
            [sys.executable, "-c", healthcheck], env=base_env(ALLOWED_HOSTS=env["ALLOWED_HOSTS"]), timeout=30
        )
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    assert body == '{"status":"ok"}', process.stderr.read() if process.stderr else ""
    assert probe.returncode == 0, "the Dockerfile HEALTHCHECK command succeeds against a live server"
    # GUNICORN_KEEPALIVE_REQUESTS=3: the third answer on one connection closes it; the client reconnects.
    assert kept_alive == [("keep-alive", 1), ("keep-alive", 1), ("close", 1), ("keep-alive", 2)]


def keep_alive_answers(port: int, *, requests: int) -> list[tuple[str, int]]:
    """``(Connection header, which TCP connection)`` for each of ``requests`` GETs sent on one kept-alive client."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    sockets, answers = [], []
    try:
        for _ in range(requests):
            client.request("GET", "/health/live", headers={"Host": "makrx.example.com"})
            if client.sock not in sockets:
                sockets.append(client.sock)
            response = client.getresponse()
            response.read()
            answers.append(((response.getheader("Connection") or "").lower(), len(sockets)))
    finally:
        client.close()
    return answers


GUNICORN_SETTINGS = ("bind", "workers", "threads", "worker_class", "timeout", "graceful_timeout", "keepalive")
GUNICORN_SETTINGS += (
    "keepalive_requests",
    "max_requests",
    "max_requests_jitter",
    "backlog",
    "preload_app",
    "accesslog",
)


def gunicorn_settings(**env: str) -> dict:
    """gunicorn.conf.py's settings, read in a child process whose environment holds only ``env`` (``base_env``)."""
    snippet = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); "
        f"print(json.dumps({{k: c[k] for k in {GUNICORN_SETTINGS!r}}}))"
    )
    result = run_python(snippet, base_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_env_example_repeats_the_gunicorn_defaults():
    """Copying .env.example must not undo a measured default (it once turned worker recycling back on)."""
    example = {
        match.group(1): match.group(2)
        for line in (BASE_DIR / ".env.example").read_text().splitlines()
        if (match := re.match(r"^(GUNICORN_[A-Z_]+)=(\S*)$", line))
    }
    config = (BASE_DIR / "gunicorn.conf.py").read_text()
    read = set(re.findall(r'"(GUNICORN_[A-Z_]+)"', config))
    documented = env_example_variables()
    doc = (BASE_DIR / "docs" / "operations.md").read_text()

    assert read <= documented, f".env.example lacks {sorted(read - documented)}"
    assert {name for name in read if f"`{name}`" not in doc} == set()
    assert gunicorn_settings(**{k: v for k, v in example.items() if v}) == gunicorn_settings()


def test_gunicorn_worker_class_is_chosen_by_threads_unless_named():
    assert gunicorn_settings()["worker_class"] == "gthread"
    assert gunicorn_settings(GUNICORN_THREADS="1")["worker_class"] == "sync"
    assert gunicorn_settings(GUNICORN_WORKER_CLASS="gevent")["worker_class"] == "gevent"
