"""`manage.py doctor`: print the settings that matter (secrets masked) and check each dependency."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from makrx import health


def mask(value) -> str:
    text = str(value or "")
    if not text:
        return "(unset)"
    return f"{text[:2]}…{'*' * 6} ({len(text)} chars)" if len(text) > 4 else "****"


def mask_url(url: str) -> str:
    """Hide the password part of a connection URL."""
    if not url:
        return "(unset)"
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":****@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def check_s3() -> str:
    from django.core.files.storage import default_storage

    default_storage.listdir("")  # one round trip: bucket reachable and credentials accepted
    return "ok"


def check_smtp() -> str:
    host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
    smtp_class = smtplib.SMTP_SSL if getattr(settings, "EMAIL_USE_SSL", False) else smtplib.SMTP
    with smtp_class(host, port, timeout=settings.READINESS_TIMEOUT_SECONDS) as server:
        server.noop()
    return "ok"


class Command(BaseCommand):
    help = "Print configuration (secrets masked) and check every configured dependency."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=3.0, help="Seconds each check may take.")

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        rows = [
            ("ENVIRONMENT", settings.ENVIRONMENT),
            ("DEBUG", settings.DEBUG),
            ("SECRET_KEY", mask(settings.SECRET_KEY)),
            ("ALLOWED_HOSTS", ",".join(settings.ALLOWED_HOSTS)),
            ("CSRF_TRUSTED_ORIGINS", ",".join(settings.CSRF_TRUSTED_ORIGINS)),
            ("CORS_ORIGINS", ",".join(settings.CORS_ALLOWED_ORIGINS)),
            ("DATABASE", f"{db['ENGINE']} {db.get('HOST') or ''} {db.get('NAME')}"),
            ("DB_POOL_SIZE", settings.DB_POOL_SIZE),
            ("REDIS_URL", mask_url(settings.REDIS_URL)),
            ("CELERY_BROKER_URL", mask_url(settings.CELERY_BROKER_URL) if settings.CELERY_BROKER_URL else "(eager)"),
            ("KEYCLOAK_ISSUER", settings.KEYCLOAK_ISSUER or "(unset: password login, dev tokens)"),
            ("KEYCLOAK_CLIENT_ID", settings.KEYCLOAK_CLIENT_ID),
            ("KEYCLOAK_CLIENT_SECRET", mask(settings.KEYCLOAK_CLIENT_SECRET)),
            ("KEYCLOAK_VERIFY_AUD", settings.KEYCLOAK_VERIFY_AUD),
            ("KEYCLOAK_USE_JWKS", settings.KEYCLOAK_USE_JWKS),
            ("S3_BUCKET", settings.S3_BUCKET or "(unset: local MEDIA_ROOT)"),
            ("UPLOAD_MAX_MB", settings.UPLOAD_MAX_MB),
            ("DEFAULT_CURRENCY", settings.DEFAULT_CURRENCY),
            ("DEFAULT_TAX_RATE", settings.DEFAULT_TAX_RATE),
            ("STRIPE_API_KEY", mask(settings.STRIPE_API_KEY)),
            ("STRIPE_WEBHOOK_SECRET", mask(settings.STRIPE_WEBHOOK_SECRET)),
            ("RAZORPAY_KEY_SECRET", mask(settings.RAZORPAY_KEY_SECRET)),
            ("EMAIL_BACKEND", settings.EMAIL_BACKEND),
            ("METRICS_ENABLED", settings.METRICS_ENABLED),
            ("SENTRY_DSN", "set" if settings.SENTRY_DSN else "(unset)"),
            ("LOG_FORMAT", settings.LOG_FORMAT),
            ("TRUST_PROXY", f"{settings.TRUST_PROXY} (NUM_PROXIES={settings.NUM_PROXIES})"),
        ]
        width = max(len(name) for name, _ in rows)
        self.stdout.write("configuration:")
        for name, value in rows:
            self.stdout.write(f"  {name:<{width}}  {value}")

        checks = dict(health.readiness_checks())
        if settings.S3_CONFIGURED:
            checks["s3"] = check_s3
        if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
            checks["smtp"] = check_smtp
        results = health.run_checks(checks, timeout=options["timeout"])
        self.stdout.write("\nchecks:")
        failed = []
        for name, result in results.items():
            if result["ok"]:
                self.stdout.write(self.style.SUCCESS(f"  {name:<10} ok ({result['latency_ms']} ms)"))
            else:
                failed.append(name)
                self.stdout.write(self.style.ERROR(f"  {name:<10} FAILED: {result.get('error')}"))
        if failed:
            raise CommandError(f"{len(failed)} dependency check(s) failed: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS("\nall checks passed"))
