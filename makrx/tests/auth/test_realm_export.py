"""deploy/keycloak/makrx-realm.json stays in step with the role names and the client settings."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from makrx.auth.roles import PLATFORM_ROLES

REALM = json.loads((Path(settings.BASE_DIR) / "deploy" / "keycloak" / "makrx-realm.json").read_text())


def _client(client_id):
    return next(c for c in REALM["clients"] if c["clientId"] == client_id)


def test_realm_roles_are_the_platform_roles():
    assert REALM["realm"] == "makrx"
    assert {role["name"] for role in REALM["roles"]["realm"]} == set(PLATFORM_ROLES)


def test_confidential_admin_client_with_pkce():
    admin = _client("makrx-admin")
    assert admin["publicClient"] is False and admin["standardFlowEnabled"] is True
    assert admin["attributes"]["pkce.code.challenge.method"] == "S256"
    assert any(uri.endswith("/oidc/callback/") for uri in admin["redirectUris"])


def test_public_spa_client_with_pkce_and_audience_mapper():
    spa = _client("makrx-spa")
    assert spa["publicClient"] is True and spa["implicitFlowEnabled"] is False
    assert spa["attributes"]["pkce.code.challenge.method"] == "S256"
    mapper = next(m for m in spa["protocolMappers"] if m["protocolMapper"] == "oidc-audience-mapper")
    assert mapper["config"]["included.client.audience"] == "makrx-admin"
    assert mapper["config"]["access.token.claim"] == "true"
