"""The permission matrix: every API operation's access rule, the personas, and what each rule expects.

Keyed by "METHOD /path/template" exactly as the OpenAPI schema spells it, so the table survives moves of
the Python code behind a path. Rules encode DESIGN.md §4 and the platform's access decisions, not what the
code happens to do today: `test_permission_matrix.py` reports every disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------------------------
# Response classes. A status is reduced to "2xx" or kept as its number; a rule answers the set it accepts.
# ``OK``: auth passed (success, or refused later for the input or the object's state).
OK = frozenset({"2xx", 400, 409, 503})
UNAUTH = frozenset({401})
FORBIDDEN = frozenset({403})
# Out of scope: hidden (404) or refused (403), never a success.
DENIED = frozenset({403, 404})
# A create whose body names another makerspace's object: any refusal, never a success.
REFUSED = frozenset({400, 403, 404, 409})
HIDDEN = frozenset({404})


@dataclass(frozen=True)
class Persona:
    name: str
    roles: tuple[str, ...] = ()
    # Active membership role per makerspace ("A"/"B"): member, staff, manager or admin.
    spaces: dict[str, str] = field(default_factory=dict)
    anonymous: bool = False

    def role_in(self, space: str | None) -> str | None:
        return self.spaces.get(space) if space else None

    @property
    def platform_admin(self) -> bool:
        return bool({"admin", "super_admin"} & set(self.roles))

    @property
    def store_staff(self) -> bool:
        return bool({"admin", "super_admin", "store_admin"} & set(self.roles))

    @property
    def django_staff(self) -> bool:
        # makrx.auth.roles.staff_flags_for_roles: only platform staff roles give is_staff.
        return bool({"admin", "super_admin", "store_admin", "makerspace_admin"} & set(self.roles))


PERSONAS: tuple[Persona, ...] = (
    Persona("anonymous", anonymous=True),
    Persona("stranger"),
    Persona("member_A", spaces={"A": "member"}),
    Persona("staff_A", spaces={"A": "staff"}),
    Persona("manager_A", spaces={"A": "manager"}),
    Persona("admin_A", spaces={"A": "admin"}),
    Persona("staff_B", spaces={"B": "staff"}),
    Persona("store_staff", roles=("store_admin",)),
    Persona("service_provider", roles=("service_provider",)),
    Persona("platform_admin", roles=("admin",)),
    Persona("super_admin", roles=("super_admin",)),
)

# The owner of the "own" objects of makerspace A (reservation, usage session, subscription, membership), of the
# cart item and of the store order. Objects of B belong to a member of B who is not a persona.
OWNER = "member_A"

SPACE_MEMBER_ROLES = {"member", "staff", "manager", "admin"}
SPACE_STAFF_ROLES = {"staff", "manager", "admin"}
SPACE_MANAGER_ROLES = {"manager", "admin"}


def _signed_in(fn):
    """Anonymous gets 401 on anything that needs a user; the wrapped rule decides for everyone else."""

    def rule(p: Persona, space: str | None, *, body_scoped: bool = False) -> frozenset:
        if p.anonymous:
            return UNAUTH
        return fn(p, space, body_scoped=body_scoped)

    rule.__name__ = fn.__name__
    return rule


def _space_rule(allowed_roles: set[str], *, owner: bool = False):
    @_signed_in
    def rule(p: Persona, space, *, body_scoped=False):
        if p.platform_admin or p.role_in(space) in allowed_roles or (owner and p.name == OWNER and space == "A"):
            return OK
        return REFUSED if body_scoped else DENIED

    return rule


def public(p, space, *, body_scoped=False):
    return OK


@_signed_in
def signed_in(p, space, *, body_scoped=False):
    return OK


@_signed_in
def platform_admin(p, space, *, body_scoped=False):
    return OK if p.platform_admin else FORBIDDEN


@_signed_in
def store_staff(p, space, *, body_scoped=False):
    return OK if p.store_staff else FORBIDDEN


@_signed_in
def owner_or_store_staff(p, space, *, body_scoped=False):
    return OK if p.store_staff or p.name == OWNER else DENIED


@_signed_in
def dev_staff_only(p, space, *, body_scoped=False):
    # The test runs with ENVIRONMENT=development; elsewhere these answer 404 to everyone.
    return OK if p.django_staff else FORBIDDEN


def cart_owner(p, space, *, body_scoped=False):
    """A cart item: only its cart's owner; anyone else (anonymous without the cart token too) is refused."""
    if p.anonymous:
        return frozenset({401, 404})
    return OK if p.name == OWNER else DENIED


def calendar_feed(p, space, *, body_scoped=False):
    """The token is the credential (whoever calls): its owner's machines only; another space's machine is 404."""
    return OK if space == "A" else HIDDEN


space_member = _space_rule(SPACE_MEMBER_ROLES)
space_staff = _space_rule(SPACE_STAFF_ROLES)
space_manager = _space_rule(SPACE_MANAGER_ROLES)
space_admin = _space_rule({"admin"})
owner_or_space_staff = _space_rule(SPACE_STAFF_ROLES, owner=True)

RULES = {
    rule.__name__: rule
    for rule in (
        public,
        signed_in,
        platform_admin,
        store_staff,
        owner_or_store_staff,
        dev_staff_only,
        cart_owner,
        calendar_feed,
    )
}
RULES.update(
    space_member=space_member,
    space_staff=space_staff,
    space_manager=space_manager,
    space_admin=space_admin,
    owner_or_space_staff=owner_or_space_staff,
)
# Rules whose objects belong to a makerspace: each is checked on an object of A and one of B.
SPACE_RULES = {"space_member", "space_staff", "space_manager", "space_admin", "owner_or_space_staff", "calendar_feed"}

MS = "/api/v1/makerspace"
ST = "/api/v1/store"

# Every operation of the API and its rule. A new endpoint fails the matrix test until it is listed here.
# Action paths (…/cancel/, /check-in/, /assign/, /stop/, …) answer POST only (DESIGN.md §5.2): no GET/PATCH rows.
MATRIX: dict[str, str] = {
    # Platform: health, identity, pages, diagnostics.
    "GET /health": "public",
    "GET /health/live": "public",
    "GET /health/readyz": "public",
    "GET /api/health": "public",
    "GET /api/v1/health/live": "public",
    "GET /api/v1/health/readyz": "public",
    "GET /api/v1/utils/health-check": "public",
    "GET /api/v1/auth/me": "signed_in",
    "GET /api/v1/pages/": "public",
    "POST /api/v1/pages/": "platform_admin",
    "GET /api/v1/pages/{slug}/": "public",
    "PUT /api/v1/pages/{slug}/": "platform_admin",
    "PATCH /api/v1/pages/{slug}/": "platform_admin",
    "DELETE /api/v1/pages/{slug}/": "platform_admin",
    "GET /api/v1/private/diagnostics/database": "dev_staff_only",
    "GET /api/v1/private/diagnostics/server": "dev_staff_only",
    # Makerspaces: public facts of a space are for every signed-in user (they choose one to join).
    f"GET {MS}/makerspaces/": "signed_in",
    f"POST {MS}/makerspaces/": "platform_admin",
    f"GET {MS}/makerspaces/{{id}}/": "signed_in",
    f"PATCH {MS}/makerspaces/{{id}}/": "space_manager",
    f"POST {MS}/makerspaces/{{id}}/join/": "signed_in",
    f"GET {MS}/makerspaces/{{id}}/opening-hours/": "signed_in",
    f"PUT {MS}/makerspaces/{{id}}/opening-hours/": "space_manager",
    f"GET {MS}/makerspaces/{{id}}/closures/": "signed_in",
    f"POST {MS}/makerspaces/{{id}}/closures/": "space_manager",
    f"DELETE {MS}/makerspaces/{{id}}/closures/{{closure_id}}/": "space_manager",
    # Members.
    f"GET {MS}/members/": "signed_in",
    f"GET {MS}/members/{{id}}/": "owner_or_space_staff",
    f"PATCH {MS}/members/{{id}}/": "space_manager",
    f"POST {MS}/members/{{id}}/approve/": "space_staff",
    f"POST {MS}/members/{{id}}/reject/": "space_staff",
    f"POST {MS}/members/{{id}}/suspend/": "space_manager",
    f"POST {MS}/members/{{id}}/reactivate/": "space_manager",
    f"GET {MS}/members/{{id}}/skills/": "owner_or_space_staff",
    f"POST {MS}/members/{{id}}/skills/": "space_staff",
    f"DELETE {MS}/members/{{id}}/skills/{{skill_id}}/": "space_staff",
    # Plans, subscriptions, skills.
    f"GET {MS}/plans/": "signed_in",
    f"POST {MS}/plans/": "space_manager",
    f"GET {MS}/plans/{{id}}/": "space_member",
    f"PATCH {MS}/plans/{{id}}/": "space_manager",
    f"GET {MS}/subscriptions/": "signed_in",
    f"POST {MS}/subscriptions/": "space_manager",
    f"GET {MS}/subscriptions/{{id}}/": "owner_or_space_staff",
    f"POST {MS}/subscriptions/{{id}}/cancel/": "space_manager",
    f"GET {MS}/skills/": "signed_in",
    f"POST {MS}/skills/": "space_manager",
    f"GET {MS}/skills/{{id}}/": "space_member",
    f"PATCH {MS}/skills/{{id}}/": "space_manager",
    # Equipment: live status (who uses it) for that space's members and staff only.
    f"GET {MS}/equipment/": "signed_in",
    f"POST {MS}/equipment/": "space_manager",
    f"GET {MS}/equipment/{{id}}/": "space_member",
    f"PATCH {MS}/equipment/{{id}}/": "space_manager",
    f"GET {MS}/equipment/{{id}}/availability/": "space_member",
    f"GET {MS}/equipment/{{id}}/status/": "space_member",
    f"POST {MS}/equipment/{{id}}/status/": "space_staff",
    # Reservations: members book and cancel their own; staff run the desk.
    f"GET {MS}/reservations/": "signed_in",
    f"POST {MS}/reservations/": "space_member",
    f"GET {MS}/reservations/{{id}}/": "owner_or_space_staff",
    f"POST {MS}/reservations/{{id}}/cancel/": "owner_or_space_staff",
    f"POST {MS}/reservations/{{id}}/check-in/": "space_staff",
    f"POST {MS}/reservations/{{id}}/complete/": "space_staff",
    f"POST {MS}/reservations/{{id}}/no-show/": "space_staff",
    # Usage sessions.
    f"GET {MS}/usage-sessions/": "signed_in",
    f"POST {MS}/usage-sessions/": "space_member",
    f"GET {MS}/usage-sessions/{{id}}/": "owner_or_space_staff",
    f"POST {MS}/usage-sessions/{{id}}/stop/": "owner_or_space_staff",
    # Maintenance: members see and report tickets (titles are for that space only); staff work them.
    f"GET {MS}/maintenance/tickets/": "signed_in",
    f"POST {MS}/maintenance/tickets/": "space_member",
    f"GET {MS}/maintenance/tickets/{{id}}/": "space_member",
    f"PATCH {MS}/maintenance/tickets/{{id}}/": "space_staff",
    f"POST {MS}/maintenance/tickets/{{id}}/assign/": "space_staff",
    f"POST {MS}/maintenance/tickets/{{id}}/resolve/": "space_staff",
    f"POST {MS}/maintenance/tickets/{{id}}/close/": "space_staff",
    f"GET {MS}/maintenance/windows/": "signed_in",
    f"POST {MS}/maintenance/windows/": "space_staff",
    f"GET {MS}/maintenance/windows/{{id}}/": "space_member",
    f"POST {MS}/maintenance/windows/{{id}}/cancel/": "space_staff",
    # Calendars: the feed's token is the credential; managing one's token needs a user.
    f"GET {MS}/calendar/token/": "signed_in",
    f"POST {MS}/calendar/token/": "signed_in",
    f"GET {MS}/calendar/{{token}}/reservations.ics": "public",
    f"GET {MS}/calendar/{{token}}/equipment/{{id}}.ics": "calendar_feed",
    # Store catalog: reads public, writes store staff.
    f"GET {ST}/products/": "public",
    f"POST {ST}/products/": "store_staff",
    f"GET {ST}/products/{{lookup}}/": "public",
    f"PATCH {ST}/products/{{lookup}}/": "store_staff",
    f"POST {ST}/products/{{lookup}}/stock/": "store_staff",
    f"GET {ST}/brands/": "public",
    f"POST {ST}/brands/": "store_staff",
    f"PATCH {ST}/brands/{{slug}}/": "store_staff",
    f"GET {ST}/categories/": "public",
    f"POST {ST}/categories/": "store_staff",
    f"PATCH {ST}/categories/{{category_id}}/": "store_staff",
    f"GET {ST}/collections/": "public",
    f"POST {ST}/collections/": "store_staff",
    f"PATCH {ST}/collections/{{slug}}/": "store_staff",
    f"GET {ST}/tags/": "public",
    f"POST {ST}/tags/": "store_staff",
    f"GET {ST}/tags/popular/": "public",
    "GET /api/enhanced-catalog/catalog/brands": "public",
    "GET /api/enhanced-catalog/catalog/categories/tree": "public",
    "GET /api/enhanced-catalog/catalog/collections": "public",
    "GET /api/enhanced-catalog/catalog/tags/popular": "public",
    # Cart and checkout: guests too (the cart token); orders: the owner and store staff.
    f"GET {ST}/cart/": "public",
    f"POST {ST}/cart/items/": "public",
    f"PATCH {ST}/cart/items/{{item_id}}/": "cart_owner",
    f"DELETE {ST}/cart/items/{{item_id}}/": "cart_owner",
    f"POST {ST}/checkout/": "public",
    f"GET {ST}/orders/": "signed_in",
    f"GET {ST}/orders/{{number}}/": "owner_or_store_staff",
    f"POST {ST}/orders/{{number}}/cancel/": "owner_or_store_staff",
    f"POST {ST}/orders/{{number}}/payment/": "owner_or_store_staff",
    f"POST {ST}/orders/{{number}}/fulfil/": "store_staff",
    f"POST {ST}/orders/{{number}}/refund/": "store_staff",
    # BOM import: anyone uploads (anonymous: owned by the cart token); the owner (or that token) and store staff
    # read, map and put it in their own cart. The list is the caller's own (anonymous without a token: 401).
    f"GET {ST}/bom-imports/": "signed_in",
    f"POST {ST}/bom-imports/": "public",
    f"GET {ST}/bom-imports/{{id}}/": "owner_or_store_staff",
    f"POST {ST}/bom-imports/{{id}}/lines/{{line}}/map/": "owner_or_store_staff",
    f"POST {ST}/bom-imports/{{id}}/add-to-cart/": "owner_or_store_staff",
    "POST /api/bom-import/import": "public",
    "POST /api/bom-import/manual-mapping": "owner_or_store_staff",
    # Payment providers sign their webhooks: the signature is the check, not a user.
    f"POST {ST}/payments/webhook": "public",
    f"POST {ST}/payments/webhook/razorpay": "public",
}


@dataclass(frozen=True)
class ExtraCase:
    """A finer rule on one operation: a persona acting on a chosen member, with its own body."""

    operation: str
    persona: str
    target: str  # whose membership in A the {id} names: a persona name
    body: dict
    expected: frozenset
    why: str


# DESIGN.md §4 and the member rules: only a space admin (or platform admin) grants or removes `admin`; a manager
# cannot suspend or demote an admin nor act on their own membership; staff cannot grant skills to themselves.
EXTRA_CASES: tuple[ExtraCase, ...] = (
    ExtraCase(f"PATCH {MS}/members/{{id}}/", "manager_A", "member_A", {"role": "admin"}, DENIED, "grant admin"),
    ExtraCase(f"PATCH {MS}/members/{{id}}/", "admin_A", "member_A", {"role": "admin"}, OK, "admin grants admin"),
    ExtraCase(f"PATCH {MS}/members/{{id}}/", "platform_admin", "member_A", {"role": "admin"}, OK, "grant admin"),
    ExtraCase(f"PATCH {MS}/members/{{id}}/", "manager_A", "admin_A", {"role": "member"}, DENIED, "demote an admin"),
    ExtraCase(f"PATCH {MS}/members/{{id}}/", "manager_A", "manager_A", {"role": "staff"}, DENIED, "own membership"),
    ExtraCase(f"POST {MS}/members/{{id}}/suspend/", "manager_A", "admin_A", {"reason": "x"}, DENIED, "suspend admin"),
    ExtraCase(f"POST {MS}/members/{{id}}/suspend/", "manager_A", "manager_A", {"reason": "x"}, DENIED, "suspend self"),
    ExtraCase(f"POST {MS}/members/{{id}}/suspend/", "admin_A", "manager_A", {"reason": "x"}, OK, "admin suspends"),
    ExtraCase(f"PATCH {MS}/members/{{id}}/", "admin_A", "admin_A", {"role": "manager"}, DENIED, "own membership"),
    ExtraCase(f"PATCH {MS}/members/{{id}}/", "manager_A", "staff_A", {"role": "manager"}, OK, "promote staff"),
    ExtraCase(f"POST {MS}/members/{{id}}/approve/", "staff_A", "admin_A", {}, DENIED, "act on an admin"),
    ExtraCase(f"POST {MS}/members/{{id}}/reject/", "staff_A", "admin_A", {}, DENIED, "act on an admin"),
    ExtraCase(f"POST {MS}/members/{{id}}/skills/", "staff_A", "staff_A", {"skill": "<skill>"}, DENIED, "own skill"),
    ExtraCase(f"POST {MS}/members/{{id}}/skills/", "manager_A", "manager_A", {"skill": "<skill>"}, DENIED, "own skill"),
)
