"""Browser tests: Playwright for Python driving Debian's ``chromium`` against pytest-django's ``live_server``.

One browser per test session (per xdist worker); each test gets a fresh 1440 × 900 context. Chromium is the
distribution's package (``.ci/run`` installs it), never a downloaded browser: without it the tests skip with the
reason, except under CI (``CI=true``), where a missing browser fails them. ``CHROMIUM_PATH`` points elsewhere.

Screenshots of every page a test visits land in ``artifacts/browser/<test name>/`` (gitignored).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "artifacts" / "browser"
VIEWPORT = {"width": 1440, "height": 900}


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        reason = "Debian's chromium is not installed (apt-get install -y chromium, or set CHROMIUM_PATH)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    launched = playwright.chromium.launch(executable_path=executable, headless=True)
    yield launched
    launched.close()
    playwright.stop()


class Screens:
    """Full-page screenshots numbered in the order a test takes them."""

    def __init__(self, page, test_name: str):
        self.page = page
        self.folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.count = 0

    def __call__(self, name: str) -> Path:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def context(browser):
    created = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    created.set_default_timeout(10_000)
    yield created
    created.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def screens(page, request):
    return Screens(page, request.node.name)


@pytest.fixture
def signed_in(context, live_server):
    """Put a session of ``user`` in the browser (the password form itself is tested once, in test_sign_in)."""

    def sign_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])

    return sign_in
