"""Fixtures for the platform tests."""

from __future__ import annotations

import pytest

from makrx.tests.subprocess_env import production_env, run_manage


@pytest.fixture(scope="session")
def production_static_root(tmp_path_factory) -> str:
    """collectstatic with production settings once (as the Docker build does); its STATIC_ROOT."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = run_manage("collectstatic", "--noinput", env=production_env(STATIC_ROOT=str(root)))
    assert result.returncode == 0, result.stderr
    return str(root)


@pytest.fixture
def prod_env(production_static_root):
    """production_env(...) with the collected static files in place."""

    def factory(**overrides: str) -> dict[str, str]:
        return production_env(STATIC_ROOT=production_static_root, **overrides)

    return factory
