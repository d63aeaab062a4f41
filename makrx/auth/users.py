"""Users from identity claims: one mapping for API tokens and the admin OIDC login.

A user is found by Keycloak's ``sub`` (never by email), created on first sight, and its
username, email, names, platform roles and staff flags refreshed only when they changed.
"""

from __future__ import annotations

import hashlib
import re

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from makrx.auth.roles import roles_from_claims, staff_flags_for_roles

USERNAME_MAX = 150
NAME_MAX = 150
EMAIL_MAX = 254
_USERNAME_DISALLOWED = re.compile(r"[^\w.@+-]")


def _text(value, limit: int) -> str:
    """A claim as clean text: strings only, no NUL (PostgreSQL refuses it), trimmed, bounded."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:limit]


def _sub_hash(sub: str, length: int) -> str:
    return hashlib.sha256(sub.encode()).hexdigest()[:length]


def username_base(claims: dict) -> str:
    """preferred_username, else the email's local part, else a name derived from sub."""
    for candidate in (claims.get("preferred_username"), _text(claims.get("email"), EMAIL_MAX).partition("@")[0]):
        cleaned = _USERNAME_DISALLOWED.sub("", _text(candidate, 1000))[:USERNAME_MAX]
        if cleaned:
            return cleaned
    return f"user-{_sub_hash(claims['sub'], 12)}"


def username_for_sub(base: str, sub: str) -> str:
    """The deterministic fallback when ``base`` belongs to someone else."""
    suffix = f"-{_sub_hash(sub, 8)}"
    return f"{base[: USERNAME_MAX - len(suffix)]}{suffix}"


def _username_taken(username: str, sub: str) -> bool:
    User = get_user_model()
    return User.objects.filter(username=username).exclude(keycloak_sub=sub).exists()


def _choose_username(base: str, sub: str, current: str | None = None) -> str:
    fallback = username_for_sub(base, sub)
    if current in (base, fallback):
        return current
    if not _username_taken(base, sub):
        return base
    if not _username_taken(fallback, sub):
        return fallback
    return f"kc-{_sub_hash(sub, 40)}"


def desired_fields(claims: dict, client_id: str) -> dict:
    roles = roles_from_claims(claims, client_id)
    is_staff, is_superuser = staff_flags_for_roles(roles)
    return {
        "email": _text(claims.get("email"), EMAIL_MAX),
        "first_name": _text(claims.get("given_name"), NAME_MAX),
        "last_name": _text(claims.get("family_name"), NAME_MAX),
        "roles": roles,
        "is_staff": is_staff,
        "is_superuser": is_superuser,
    }


def user_sync_from_claims(*, claims: dict, client_id: str):
    """The user for these verified claims, created or refreshed (no write when nothing changed)."""
    User = get_user_model()
    sub = _text(claims.get("sub"), 255)
    if not sub:
        raise ValueError("claims without a subject")
    fields = desired_fields(claims, client_id)
    base = username_base({**claims, "sub": sub})

    user = User.objects.filter(keycloak_sub=sub).first()
    if user is None:
        user, created = _user_create(sub=sub, base=base, fields=fields)
        if created:
            return user

    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    username = _choose_username(base, sub, current=user.username)
    if username != user.username:
        changed.append("username")
        user.username = username
    for name in changed:
        if name != "username":
            setattr(user, name, fields[name])
    if changed:
        try:
            with transaction.atomic():
                user.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            # Someone took the username meanwhile; keep the old one, refresh the rest.
            user.refresh_from_db(fields=["username"])
            rest = [name for name in changed if name != "username"]
            if rest:
                user.save(update_fields=[*rest, "updated_at"])
    return user


def _user_create(*, sub: str, base: str, fields: dict):
    User = get_user_model()
    for attempt in range(3):
        username = _choose_username(base, sub) if attempt < 2 else f"kc-{_sub_hash(sub, 40)}"
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=username, keycloak_sub=sub, password=None, **fields)
        except IntegrityError:
            # Either the same sub was created concurrently or the username was just taken.
            existing = User.objects.filter(keycloak_sub=sub).first()
            if existing is not None:
                return existing, False
            continue
        return user, True
    raise IntegrityError(f"could not create a user for subject {sub!r}")
