"""Production refuses to start on insecure settings, naming the variable; check --deploy is clean."""

from __future__ import annotations

import pytest

from makrx.tests.subprocess_env import base_env, production_env, run_manage, run_python

IMPORT_SETTINGS = "import django\ndjango.setup()\nprint('started')"


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short-but-random-Qx7!"}, "SECRET_KEY"),
        ({"SECRET_KEY": "changethis"}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-" + "x7Qm2vZp9Lx4Rt6Wn8Yb1Hc3Jd5Fg0SaUeIoKlMz"}, "SECRET_KEY"),
        ({"SECRET_KEY": "changethis" * 6}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"DEBUG": "1"}, "DEBUG"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "DATABASE_URL"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "makrx.example.com, *"}, "ALLOWED_HOSTS"),
        ({"CORS_ORIGINS": "*"}, "CORS_ORIGINS"),
        ({"CORS_ORIGINS": "https://app.makrx.example.com,https://*"}, "CORS_ORIGINS"),
        ({"CSRF_TRUSTED_ORIGINS": "*"}, "CSRF_TRUSTED_ORIGINS"),
        ({"CSRF_TRUSTED_ORIGINS": "https://*"}, "CSRF_TRUSTED_ORIGINS"),
    ],
)
def test_production_refuses_insecure_value(overrides, variable):
    env = production_env()
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value

    result = run_python(IMPORT_SETTINGS, env)

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_manage_check_also_refuses(environment):
    env = production_env(ENVIRONMENT=environment, SECRET_KEY="changethis")

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_unknown_environment_is_refused():
    result = run_python(IMPORT_SETTINGS, base_env(ENVIRONMENT="prod"))

    assert result.returncode != 0
    assert "ENVIRONMENT" in result.stderr


def test_good_production_settings_start():
    result = run_python(IMPORT_SETTINGS, production_env())

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_development_works_with_no_environment_at_all():
    snippet = """
import django, json
django.setup()
from django.conf import settings
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "email": settings.EMAIL_BACKEND,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "debug": settings.DEBUG,
}))
"""
    result = run_python(snippet, base_env())

    assert result.returncode == 0, result.stderr
    import json

    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data == {
        "db": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,
        "email": "django.core.mail.backends.console.EmailBackend",
        "storage": "django.core.files.storage.FileSystemStorage",
        "debug": True,
    }


def test_check_deploy_with_good_production_settings_has_no_warnings(prod_env):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=prod_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_check_deploy_behind_a_proxy_has_no_warnings(prod_env):
    env = prod_env(TRUST_PROXY="true", NUM_PROXIES="2", DB_POOL_SIZE="5", METRICS_ENABLED="true")

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize("variable", ["ALLOWED_HOSTS", "CORS_ORIGINS", "CSRF_TRUSTED_ORIGINS"])
def test_wildcards_are_refused_in_staging_too(environment, variable):
    result = run_python(IMPORT_SETTINGS, production_env(ENVIRONMENT=environment, **{variable: "*"}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr and "'*'" in result.stderr


def test_subdomain_patterns_are_not_wildcards():
    env = production_env(ALLOWED_HOSTS=".makrx.example.com", CSRF_TRUSTED_ORIGINS="https://*.makrx.example.com")

    result = run_python(IMPORT_SETTINGS, env)

    assert result.returncode == 0, result.stderr


def test_development_still_accepts_wildcards():
    result = run_python(IMPORT_SETTINGS, base_env(ALLOWED_HOSTS="*", CORS_ORIGINS="*"))

    assert result.returncode == 0, result.stderr


AUDIENCE_SNIPPET = (
    "import django\ndjango.setup()\nfrom django.conf import settings\nprint(settings.KEYCLOAK_VERIFY_AUD)"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (production_env(), "True"),
        (production_env(ENVIRONMENT="staging"), "True"),
        (production_env(KEYCLOAK_VERIFY_AUD="false"), "False"),
        (base_env(), "False"),
    ],
    ids=["production", "staging", "production-overridden", "development"],
)
def test_keycloak_audience_is_verified_by_default_outside_development(env, expected):
    result = run_python(AUDIENCE_SNIPPET, env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
