"""Print a development access token: `manage.py dev_token --user alice --roles admin,makerspace_admin`."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from makrx.auth.devtokens import dev_token_mint
from makrx.auth.roles import PLATFORM_ROLES


class Command(BaseCommand):
    help = (
        "Mint a bearer token signed by the local development key (created on first use). "
        "Accepted only when ENVIRONMENT=development and Keycloak is not configured."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="preferred_username; the token's sub is dev:<user>.")
        parser.add_argument("--roles", default="", help=f"Comma-separated platform roles: {', '.join(PLATFORM_ROLES)}.")
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
        roles = [role.strip() for role in options["roles"].split(",") if role.strip()]
        unknown = sorted(set(roles) - set(PLATFORM_ROLES))
        if unknown:
            raise CommandError(f"Unknown role(s) {', '.join(unknown)}; choose from {', '.join(PLATFORM_ROLES)}.")
        if not 1 <= options["minutes"] <= 7 * 24 * 60:
            raise CommandError("--minutes must be between 1 and 10080 (a week).")
        token = dev_token_mint(
            username=username,
            roles=roles,
            minutes=options["minutes"],
            email=options["email"],
            first_name=options["first_name"],
            last_name=options["last_name"],
        )
        self.stdout.write(token)
