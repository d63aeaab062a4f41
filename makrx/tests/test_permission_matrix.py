"""The permission matrix: every operation of the OpenAPI schema called as every persona, on objects of two spaces.

The rules live in `permission_matrix_rules.py` (keyed by "METHOD /path/template"). One test calls every
(operation, persona, object) case, each inside a savepoint that is rolled back so every call sees the same
fixtures, and fails once with the full list of mismatches.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from makrx.tests.api_world import api_world, fill_path
from makrx.tests.permission_matrix_rules import (
    EXTRA_CASES,
    MATRIX,
    MS,
    PERSONAS,
    RULES,
    SPACE_RULES,
    ST,
)

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


def schema_operations() -> set[str]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item if method in METHODS
    }


def test_every_operation_has_a_rule_and_every_rule_an_operation():
    operations = schema_operations()
    missing = sorted(operations - set(MATRIX))
    stale = sorted(set(MATRIX) - operations)
    unknown_rules = sorted({f"{op}: {rule}" for op, rule in MATRIX.items() if rule not in RULES})
    assert not (missing or stale or unknown_rules), (
        f"operations without a rule in permission_matrix_rules.MATRIX: {missing}\n"
        f"rules for operations that no longer exist: {stale}\n"
        f"unknown rule names: {unknown_rules}"
    )


def _body(world, operation: str, space: str):
    """A minimal plausible body for a write: the point is the auth decision, not validation."""
    objects = world["objects"][space]
    store = world["store"]
    starts, ends = (value.isoformat() for value in objects["free_slot"])
    unique = uuid.uuid4().hex[:8]
    bodies = {
        "POST /api/v1/pages/": {"title": "New", "slug": f"new-{unique}", "body": "x", "published": True},
        "PUT /api/v1/pages/{slug}/": {"title": "About us", "slug": "about", "body": "x", "published": True},
        "PATCH /api/v1/pages/{slug}/": {"title": "About us"},
        "PUT /api/v1/notifications/preferences/": {"preferences": [{"kind": "skill.expired", "email": False}]},
        f"POST {MS}/makerspaces/": {"name": f"Space {unique}", "slug": f"space-{unique}", "timezone": "UTC"},
        f"PATCH {MS}/makerspaces/{{id}}/": {"description": "Renamed"},
        f"PUT {MS}/makerspaces/{{id}}/opening-hours/": {
            "intervals": [{"weekday": 0, "opens": "09:00", "closes": "18:00"}]
        },
        f"POST {MS}/makerspaces/{{id}}/closures/": {
            "starts_on": str(timezone.now().date() + timedelta(days=30)),
            "ends_on": str(timezone.now().date() + timedelta(days=30)),
            "reason": "Holiday",
        },
        f"PATCH {MS}/members/{{id}}/": {"role": "staff", "reason": "promotion"},
        f"POST {MS}/members/{{id}}/approve/": {"reason": "ok"},
        f"POST {MS}/members/{{id}}/reject/": {"reason": "no"},
        f"POST {MS}/members/{{id}}/suspend/": {"reason": "rules"},
        f"POST {MS}/members/{{id}}/reactivate/": {"reason": "ok"},
        f"POST {MS}/members/{{id}}/skills/": {"skill": objects["new_skill"].pk},
        f"POST {MS}/skill-requests/": {"skill": objects["skill"].pk, "makerspace": objects["space"].pk},
        f"POST {MS}/skill-requests/{{id}}/reject/": {"reason": "not yet"},
        f"POST {MS}/badges/": {
            "makerspace": objects["space"].pk,
            "name": f"Badge {unique}",
            "min_completed_sessions": 1,
        },
        f"PATCH {MS}/badges/{{id}}/": {"description": "Updated"},
        f"POST {MS}/incidents/": {"equipment": objects["equipment"].pk, "severity": "minor", "description": "Spill"},
        f"PATCH {MS}/incidents/{{id}}/": {"actions_taken": "Cleaned"},
        f"POST {MS}/equipment/{{id}}/ratings/": {"score": 4, "comment": "Fine"},
        f"POST {MS}/maintenance/intervals/": {"equipment": objects["equipment"].pk, "title": "Oil", "every_days": 30},
        f"PATCH {MS}/maintenance/intervals/{{id}}/": {"title": "Oil rails"},
        f"POST {MS}/members/bulk/": {"action": "approve", "ids": [objects["member"].pk]},
        f"POST {MS}/makerspaces/{{id}}/invites/": {"email": f"invitee-{unique}@example.test", "role": "member"},
        f"POST {MS}/plans/": {"makerspace": objects["space"].pk, "name": f"Plan {unique}", "price": "100.00"},
        f"PATCH {MS}/plans/{{id}}/": {"description": "Updated"},
        f"POST {MS}/subscriptions/": {"member": objects["member"].pk, "plan": objects["plan"].pk},
        f"POST {MS}/subscriptions/{{id}}/cancel/": {"reason": "moving"},
        f"POST {MS}/skills/": {"makerspace": objects["space"].pk, "name": f"Skill {unique}", "level": 1},
        f"PATCH {MS}/skills/{{id}}/": {"description": "Updated"},
        f"POST {MS}/equipment/": {"makerspace": objects["space"].pk, "name": f"Laser {unique}"},
        f"PATCH {MS}/equipment/{{id}}/": {"location": "Bay 2"},
        f"POST {MS}/equipment/{{id}}/status/": {"status": "maintenance", "reason": "check"},
        f"POST {MS}/reservations/": {"equipment": objects["equipment"].pk, "starts_at": starts, "ends_at": ends},
        f"POST {MS}/reservations/{{id}}/cancel/": {"reason": "cannot come"},
        f"POST {MS}/reservations/{{id}}/reject/": {"reason": "not trained"},
        f"POST {MS}/waitlist/": {
            "equipment": objects["equipment"].pk,
            "starts_at": objects["reservation"].starts_at.isoformat(),
            "ends_at": objects["reservation"].ends_at.isoformat(),
        },
        f"POST {MS}/cost-rules/": {
            "makerspace": objects["space"].pk,
            "name": f"Fee {unique}",
            "kind": "flat_fee",
            "amount": "10.00",
        },
        f"PATCH {MS}/cost-rules/{{id}}/": {"priority": 5},
        f"POST {MS}/promo-codes/": {
            "makerspace": objects["space"].pk,
            "code": f"P{unique}",
            "kind": "percent",
            "value": "10",
        },
        f"POST {MS}/usage-sessions/": {"equipment": objects["equipment"].pk},
        f"POST {MS}/usage-sessions/{{id}}/stop/": {"notes": "done"},
        f"POST {MS}/invoices/": {"member": objects["member"].pk, "lines": [{"description": "Fee", "unit_price": "10"}]},
        f"POST {MS}/invoices/{{id}}/void/": {"reason": "matrix"},
        f"POST {MS}/invoices/{{id}}/pay/": {"method": "wallet"},
        f"POST {MS}/invoices/{{id}}/mark-paid/": {"method": "cash", "reference": "R-1"},
        f"POST {MS}/invoices/{{id}}/refund/": {"amount": "1.00"},
        f"POST {MS}/wallet/reservation-payments/": {"reservation": objects["reservation"].pk},
        f"POST {MS}/wallet/top-ups/": {"makerspace": objects["space"].pk, "amount": "100.00", "provider": "stripe"},
        f"POST {MS}/maintenance/tickets/": {"equipment": objects["equipment"].pk, "title": "Belt loose"},
        f"PATCH {MS}/maintenance/tickets/{{id}}/": {"priority": "high"},
        f"POST {MS}/maintenance/tickets/{{id}}/assign/": {"assignee": world["users"][f"staff_{space}"].pk},
        f"PATCH {MS}/maintenance/tickets/{{id}}/assign/": {"priority": "high"},
        f"POST {MS}/maintenance/tickets/{{id}}/resolve/": {"resolution": "Fixed"},
        f"PATCH {MS}/maintenance/tickets/{{id}}/resolve/": {"priority": "high"},
        f"POST {MS}/maintenance/tickets/{{id}}/close/": {"resolution": "Fixed"},
        f"PATCH {MS}/maintenance/tickets/{{id}}/close/": {"priority": "high"},
        f"POST {MS}/maintenance/windows/": {
            "equipment": objects["equipment"].pk,
            "starts_at": (objects["free_slot"][0] + timedelta(days=10)).isoformat(),
            "ends_at": (objects["free_slot"][1] + timedelta(days=10)).isoformat(),
            "reason": "Service",
        },
        f"POST {MS}/inventory/items/": {"makerspace": objects["space"].pk, "sku": f"NEW-{unique}", "name": "PLA"},
        f"PATCH {MS}/inventory/items/{{id}}/": {"location": "Shelf 2"},
        f"POST {MS}/inventory/items/{{id}}/movements/": {"kind": "usage", "quantity": "1"},
        f"POST {MS}/inventory/items/import/": {"makerspace": objects["space"].pk},
        f"POST {MS}/projects/": {"makerspace": objects["space"].pk, "title": f"Robot {unique}"},
        f"PATCH {MS}/projects/{{id}}/": {"status": "in_progress"},
        f"POST {MS}/projects/{{id}}/feature/": {"featured": False},
        f"POST {MS}/projects/{{id}}/collaborators/": {"user": world["users"]["stranger"].pk, "role": "viewer"},
        f"POST {MS}/projects/{{id}}/comments/": {"body": "Nice"},
        f"PATCH {MS}/projects/{{id}}/comments/{{comment_id}}/": {"body": "Edited"},
        f"POST {MS}/projects/{{id}}/tasks/": {"title": "Solder"},
        f"POST {MS}/projects/{{id}}/milestones/": {"title": "Prototype"},
        f"PATCH {MS}/projects/{{id}}/milestones/{{milestone_id}}/": {"completed": True},
        f"PATCH {MS}/projects/{{id}}/tasks/{{task_id}}/": {"status": "done"},
        f"POST {MS}/projects/{{id}}/bom/": {"store_sku": "RES-10K", "quantity": "4"},
        f"PATCH {MS}/projects/{{id}}/bom/{{line_id}}/": {"quantity": "2"},
        f"POST {MS}/projects/{{id}}/bom/{{line_id}}/transition/": {"state": "ordered"},
        f"PUT {MS}/providers/me/": {
            "display_name": "Maker",
            "capabilities": [{"process": "fdm", "materials": ["PLA"]}],
        },
        f"POST {MS}/providers/{{id}}/verify/": {"verified": True},
        f"POST {MS}/jobs/{{id}}/reject/": {"reason": "Matrix"},
        f"POST {MS}/jobs/{{id}}/cancel/": {"reason": "Matrix"},
        f"POST {MS}/jobs/{{id}}/ship/": {"tracking": "AWB1"},
        f"POST {ST}/products/": {"sku": f"SKU-{unique}", "name": "Resistor", "price": "1.00"},
        f"PATCH {ST}/products/{{lookup}}/": {"name": "Renamed part"},
        f"POST {ST}/products/{{lookup}}/stock/": {"on_hand": 20},
        f"POST {ST}/brands/": {"name": f"Brand {unique}"},
        f"PATCH {ST}/brands/{{slug}}/": {"description": "Updated"},
        f"POST {ST}/categories/": {"name": f"Category {unique}"},
        f"PATCH {ST}/categories/{{category_id}}/": {"description": "Updated"},
        f"POST {ST}/collections/": {"name": f"Collection {unique}"},
        f"PATCH {ST}/collections/{{slug}}/": {"description": "Updated"},
        f"POST {ST}/tags/": {"name": f"tag {unique}"},
        f"POST {ST}/cart/items/": {"product": store["product"].pk, "quantity": 1},
        f"PATCH {ST}/cart/items/{{item_id}}/": {"quantity": 2},
        f"POST {ST}/checkout/": {
            "email": "buyer@example.test",
            "shipping_address": {
                "name": "A Buyer",
                "line1": "1 Road",
                "city": "Pune",
                "postal_code": "411001",
                "country": "IN",
                "phone": "+919999999999",
            },
        },
        f"POST {ST}/orders/{{number}}/cancel/": {"note": "changed my mind"},
        "POST /api/cart/add": {"product_id": store["product"].pk, "quantity": 1},
        "PUT /api/cart/item/{item_id}": {"quantity": 2},
        "POST /api/orders/checkout": {
            "email": "buyer@example.test",
            "payment_method": "stripe",
            "shipping_address": {
                "name": "A Buyer",
                "line1": "1 Road",
                "city": "Pune",
                "postal_code": "411001",
                "country": "IN",
            },
        },
        "POST /api/enhanced-catalog/catalog/search/advanced": {"query": "part", "page": 1, "per_page": 5},
        f"POST {ST}/orders/{{number}}/fulfil/": {"note": "shipped"},
        f"POST {ST}/orders/{{number}}/refund/": {"note": "refund"},
        f"POST {ST}/orders/{{number}}/mark-paid/": {"method": "cash", "reference": "receipt 1"},
        f"POST {ST}/bom-imports/{{id}}/lines/{{line}}/map/": {"product": store["product"].pk},
        "POST /api/bom-import/manual-mapping": {
            "import_id": store["bom_import"].pk,
            "line": 1,
            "product": store["product"].pk,
        },
        f"POST {MS}/inventory/quick-reorder/": {"makerspace": objects["space"].pk},
        f"POST {ST}/payments/webhook": {"id": "evt_x", "type": "payment_intent.succeeded"},
        f"POST {ST}/payments/webhook/razorpay": {"event": "payment.captured"},
        "POST /api/v1/payments/stripe/webhook": {"id": "evt_x", "type": "payment_intent.succeeded"},
        "POST /api/v1/payments/razorpay/webhook": {"event": "payment.captured"},
        "POST /api/v1/payments/razorpay/confirm/": {
            "razorpay_order_id": "order_x",
            "razorpay_payment_id": "pay_x",
            "razorpay_signature": "0" * 64,
        },
    }
    return bodies.get(operation, {})


QUERIES = {
    f"GET {MS}/equipment/{{id}}/availability/": lambda world, space: {
        "date": str(timezone.now().date() + timedelta(days=1))
    },
    f"GET {MS}/members/export.csv": lambda world, space: {"makerspace": world["objects"][space]["space"].pk},
    f"GET {MS}/equipment/{{id}}/price/": lambda world, space: {
        "starts_at": (timezone.now() + timedelta(days=2)).isoformat(),
        "ends_at": (timezone.now() + timedelta(days=2, hours=1)).isoformat(),
    },
    f"GET {MS}/analytics/{{report}}/": lambda world, space: {"makerspace": world["objects"][space]["space"].pk},
    f"GET {MS}/wallet/": lambda world, space: {"makerspace": world["objects"][space]["space"].pk},
}
# Queries naming the makerspace whose objects the case is about (lists and exports scoped by ?makerspace=).
SPACE_QUERIES = {
    f"GET {MS}/inventory/quick-reorder/": lambda objects: {"makerspace": objects["space"].pk},
    f"GET {MS}/inventory/items/export/": lambda objects: {"makerspace": objects["space"].pk},
    f"GET {MS}/inventory/movements/export/": lambda objects: {
        "makerspace": objects["space"].pk,
        "start": (timezone.now() - timedelta(days=1)).isoformat(),
        "end": (timezone.now() + timedelta(days=1)).isoformat(),
    },
}


def _call(world, persona_name: str, operation: str, space: str, *, target=None, body=None):
    method, template = operation.split(" ", 1)
    client = APIClient()
    user = world["users"][persona_name]
    if user is not None:
        client.force_authenticate(user=user)
    url = fill_path(world, template, space, target)
    headers = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    # Each call in its own savepoint, rolled back: every persona sees the same objects in the same states.
    with transaction.atomic():
        if method == "GET":
            query, space_query = QUERIES.get(operation), SPACE_QUERIES.get(operation)
            params = query(world, space) if query else (space_query(world["objects"][space]) if space_query else None)
            response = client.get(url, params, **headers)
        else:
            payload = json.dumps(body if body is not None else _body(world, operation, space))
            response = client.generic(method, url, payload, content_type="application/json", **headers)
        transaction.set_rollback(True)
    return response


def _status_class(status: int):
    return "2xx" if 200 <= status < 300 else status


def _describe(response) -> str:
    code = ""
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            code = json.loads(response.content).get("code", "")
        except (ValueError, AttributeError):
            code = ""
    return f"{response.status_code} {code}".strip()


def _spaces_for(operation: str, rule_name: str) -> list[str]:
    """Objects of A and of B for makerspace objects (in the path, or named by a create's body)."""
    template = operation.split(" ", 1)[1]
    if rule_name in SPACE_RULES or (template.startswith(MS) and "{" in template):
        return ["A", "B"]
    return ["A"]


def test_permission_matrix(make_user, settings):
    settings.RATELIMIT_ENABLE = False
    world = api_world(make_user)
    operations = schema_operations()
    mismatches = []
    # MATRIX_REPORT=<file> writes every case with its answer (to review bodies that stop at 400 before the check).
    report = []
    for operation in sorted(set(MATRIX) & operations):
        rule_name = MATRIX[operation]
        rule = RULES[rule_name]
        method, template = operation.split(" ", 1)
        body_scoped = method == "POST" and "{" not in template and rule_name in SPACE_RULES
        for space in _spaces_for(operation, rule_name):
            for persona in PERSONAS:
                rule_space = space if (rule_name in SPACE_RULES) else None
                expected = rule(persona, rule_space, body_scoped=body_scoped)
                response = _call(world, persona.name, operation, space)
                report.append(f"{operation} | {persona.name} | {space} | {_describe(response)}")
                if _status_class(response.status_code) not in expected:
                    mismatches.append(
                        f"{operation} | {persona.name} | object of {space} | expected "
                        f"{sorted(map(str, expected))} | got {_describe(response)}"
                    )
    for case in EXTRA_CASES:
        target = world["memberships"]["A"][case.target]
        body = {k: (world["objects"]["A"]["new_skill"].pk if v == "<skill>" else v) for k, v in case.body.items()}
        response = _call(world, case.persona, case.operation, "A", target=target, body=body)
        if _status_class(response.status_code) not in case.expected:
            mismatches.append(
                f"{case.operation} | {case.persona} | member {case.target} of A ({case.why}) | expected "
                f"{sorted(map(str, case.expected))} | got {_describe(response)}"
            )
    if os.environ.get("MATRIX_REPORT"):
        with open(os.environ["MATRIX_REPORT"], "w") as handle:
            handle.write("\n".join(report + mismatches) + "\n")
    assert not mismatches, f"{len(mismatches)} permission mismatches:\n" + "\n".join(mismatches)


# Lists: staff of B (and anyone outside A) never see A's people, bookings, tickets, windows or sessions.
PRIVATE_LISTS = {
    f"{MS}/members/": "member",
    f"{MS}/reservations/": "reservation",
    f"{MS}/maintenance/tickets/": "ticket",
    f"{MS}/maintenance/windows/": "window",
    f"{MS}/usage-sessions/": "usage",
    f"{MS}/invoices/": "invoice",
    f"{MS}/transactions/": "billable_record",
    f"{MS}/subscriptions/": "subscription",
    f"{MS}/skill-requests/": "skill_request",
    f"{MS}/incidents/": "incident",
    f"{MS}/maintenance/intervals/": "interval",
    f"{MS}/cost-rules/": "cost_rule",
    f"{MS}/promo-codes/": "promo_code",
    f"{MS}/waitlist/": "waitlist",
    f"{MS}/inventory/items/": "inventory_item",
    f"{MS}/projects/": "project",  # a members-only project
    f"{MS}/jobs/": "job",
}
OUTSIDERS_OF_A = ("stranger", "staff_B", "store_staff", "service_provider")


def test_lists_do_not_show_another_makerspaces_rows(make_user, settings):
    settings.RATELIMIT_ENABLE = False
    world = api_world(make_user)
    space_a = world["objects"]["A"]["space"].pk
    leaks = []
    for path, key in PRIVATE_LISTS.items():
        hidden = world["objects"]["A"][key].pk
        for persona in OUTSIDERS_OF_A:
            client = APIClient()
            client.force_authenticate(user=world["users"][persona])
            for query in ({"page_size": 100}, {"page_size": 100, "makerspace": space_a}):
                response = client.get(path, query)
                if response.status_code != 200:
                    continue  # a refused filter shows nothing
                ids = {row.get("id") for row in response.json().get("results", [])}
                if hidden in ids:
                    leaks.append(f"GET {path}?{'&'.join(f'{k}={v}' for k, v in query.items())} as {persona}")
        # Control: A's staff see the row, so the absence above means something.
        client = APIClient()
        client.force_authenticate(user=world["users"]["manager_A"])
        rows = client.get(path, {"page_size": 100}).json().get("results", [])
        assert hidden in {row.get("id") for row in rows}, f"{path}: the control row is not listed to manager_A"
    assert not leaks, "rows of makerspace A listed to outsiders:\n" + "\n".join(leaks)
