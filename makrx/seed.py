"""Platform seed: a development superuser and the public pages."""

from __future__ import annotations

from django.conf import settings

from makrx.models import Page, User

PAGES = [
    ("About MakrX", "about", "MakrX runs makerspaces and the maker store that feeds them work."),
    ("Terms of service", "terms", "Use the machines safely and as trained; respect other makers' bookings."),
    ("Help", "help", "Book a machine from the member portal; order parts and services from the store."),
]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--samples",
        choices=("auto", "yes", "no"),
        default="auto",
        help="Sample people, bookings and orders: auto (development only, the default), yes or no.",
    )


def samples_wanted(options) -> bool:
    """Whether the apps add their sample activity (members, bookings, orders): development by default."""
    choice = options.get("samples") or "auto"
    return choice == "yes" or (choice == "auto" and settings.IS_DEVELOPMENT)


def run(*, options, stdout) -> None:
    for title, slug, body in PAGES:
        Page.objects.get_or_create(slug=slug, defaults={"title": title, "body": body, "published": True})
    if settings.IS_DEVELOPMENT and not User.objects.filter(username="admin").exists():
        # Development only: the admin's password login (README, quick start).
        User.objects.create_superuser("admin", "admin@makrx.local", "admin", roles=["super_admin"])
        stdout.write("created development superuser admin / admin")
