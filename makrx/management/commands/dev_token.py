"""Print a development access token: `manage.py dev_token --user alice --roles admin,makerspace_admin`.

When a user with that username already exists (the seeded ``admin``), the token is minted for that user:
its subject is linked once (``dev:<username>``) and its roles, email and names are the defaults, so signing
in with the token neither creates a second user nor strips the existing one's roles.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from makrx.auth.devtokens import dev_token_mint
from makrx.auth.roles import PLATFORM_ROLES
from makrx.models import User


class Command(BaseCommand):
    help = (
        "Mint a bearer token signed by the local development key (created on first use). "
        "Accepted only when ENVIRONMENT=development and Keycloak is not configured."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="preferred_username; the token's sub is dev:<user>.")
        parser.add_argument(
            "--roles",
            default=None,
            help=f"Comma-separated platform roles: {', '.join(PLATFORM_ROLES)} (default: an existing user's roles).",
        )
        parser.add_argument("--minutes", type=int, default=60, help="Lifetime in minutes (default 60).")
        parser.add_argument("--email", default=None, help="Email claim (default <user>@example.test).")
        parser.add_argument("--first-name", default="", help="given_name claim.")
        parser.add_argument("--last-name", default="", help="family_name claim.")

    def handle(self, *args, **options):
        if not settings.DEV_TOKENS_ENABLED:
            raise CommandError(
                "Development tokens are disabled: they work only with ENVIRONMENT=development and no Keycloak "
                "configured (KEYCLOAK_URL/KEYCLOAK_ISSUER unset). Get a real token from Keycloak instead."
            )
        username = options["user"].strip()
        if not username:
            raise CommandError("--user must not be empty.")
        try:
            existing = User.objects.filter(username=username).first()
        except DatabaseError:  # no database yet (before the first migrate): nobody to reuse
            existing = None
        subject = None
        if existing is not None:
            subject = existing.keycloak_sub or f"dev:{username}"
            if not subject.startswith("dev:"):
                raise CommandError(
                    f"User {username!r} belongs to Keycloak subject {subject!r}; a development token cannot "
                    "stand in for it. Choose another --user."
                )
        if options["roles"] is None:
            roles = list(existing.roles or []) if existing is not None else []
        else:
            roles = [role.strip() for role in options["roles"].split(",") if role.strip()]
        unknown = sorted(set(roles) - set(PLATFORM_ROLES))
        if unknown:
            raise CommandError(f"Unknown role(s) {', '.join(unknown)}; choose from {', '.join(PLATFORM_ROLES)}.")
        if not 1 <= options["minutes"] <= 7 * 24 * 60:
            raise CommandError("--minutes must be between 1 and 10080 (a week).")
        if existing is not None and existing.keycloak_sub != subject:
            existing.keycloak_sub = subject
            existing.save(update_fields=["keycloak_sub", "updated_at"])
        token = dev_token_mint(
            username=username,
            roles=roles,
            minutes=options["minutes"],
            email=options["email"] or (existing.email if existing is not None and existing.email else None),
            first_name=options["first_name"] or (existing.first_name if existing is not None else ""),
            last_name=options["last_name"] or (existing.last_name if existing is not None else ""),
            subject=subject,
        )
        self.stdout.write(token)
