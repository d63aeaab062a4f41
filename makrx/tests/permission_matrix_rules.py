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


def bridge_peer(p, space, *, body_scoped=False):
    """The bridge receivers: the other deployment's API key or body signature is the credential, never a user
    (the matrix runs in development without bridge credentials, where a missing one is allowed and logged)."""
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
def owner_only(p, space, *, body_scoped=False):
    """A customer's private row (a store reorder list): its owner only; everyone else is not shown it."""
    return OK if p.name == OWNER else DENIED


@_signed_in
def verified_buyer(p, space, *, body_scoped=False):
    """A product review: any signed-in user passes auth; one without a paid order of it is refused (403)."""
    return OK | FORBIDDEN


@_signed_in
def dev_staff_only(p, space, *, body_scoped=False):
    # The test runs with ENVIRONMENT=development; elsewhere these answer 404 to everyone.
    return OK if p.django_staff else FORBIDDEN


def cart_owner(p, space, *, body_scoped=False):
    """A cart item: only its cart's owner; anyone else (anonymous without the cart token too) is refused."""
    if p.anonymous:
        return frozenset({401, 404})
    return OK if p.name == OWNER else DENIED


@_signed_in
def own_order(p, space, *, body_scoped=False):
    """The earlier store front's order by id: its owner only; everyone else, store staff included, gets 404."""
    return OK if p.name == OWNER else HIDDEN


def _owner_or_store_staff_signed_in(p, space, *, body_scoped=False):
    return OK if p.store_staff or p.name == OWNER else DENIED


def guest_owner_or_store_staff(p, space, *, body_scoped=False):
    """Maker-service rows: guests reach theirs by cart token, so an anonymous caller without it sees a 404."""
    if p.anonymous:
        return HIDDEN
    return _owner_or_store_staff_signed_in(p, space, body_scoped=body_scoped)


def own_notification(p, space, *, body_scoped=False):
    """A notification: only the user it was sent to; anyone else, platform admins too, is not found."""
    if p.anonymous:
        return UNAUTH
    return OK if p.name == OWNER else HIDDEN


def calendar_feed(p, space, *, body_scoped=False):
    """The token is the credential (whoever calls): its owner's machines only; another space's machine is 404."""
    return OK if space == "A" else HIDDEN


@_signed_in
def space_owner_only(p, space, *, body_scoped=False):
    """The member's own object only (a waiting-list claim): staff and platform admins see it but cannot act."""
    return OK if p.name == OWNER and space == "A" else DENIED


def _hidden_from_anonymous(rule):
    """Readable without signing in when public; a members-only object is not found (404) for anonymous."""

    def wrapped(p: Persona, space, *, body_scoped=False):
        if p.anonymous:
            return HIDDEN
        return rule(p, space, body_scoped=body_scoped)

    return wrapped


space_member = _space_rule(SPACE_MEMBER_ROLES)
space_staff = _space_rule(SPACE_STAFF_ROLES)
space_manager = _space_rule(SPACE_MANAGER_ROLES)
space_admin = _space_rule({"admin"})
owner_or_space_staff = _space_rule(SPACE_STAFF_ROLES, owner=True)
# Projects: the object of A is a members-only project owned by OWNER (with a comment of theirs).
project_reader = _hidden_from_anonymous(space_member)
project_owner = _space_rule(set(), owner=True)


@_signed_in
def own_only(p, space, *, body_scoped=False):
    """Only the object's author (OWNER for A's objects; nobody among the personas for B's), not even admins."""
    return OK if p.name == OWNER and space == "A" else DENIED


RULES = {
    rule.__name__: rule
    for rule in (
        public,
        bridge_peer,
        signed_in,
        platform_admin,
        store_staff,
        owner_or_store_staff,
        owner_only,
        verified_buyer,
        dev_staff_only,
        cart_owner,
        own_order,
        guest_owner_or_store_staff,
        calendar_feed,
        own_notification,
    )
}
RULES.update(
    space_member=space_member,
    space_staff=space_staff,
    space_manager=space_manager,
    space_admin=space_admin,
    owner_or_space_staff=owner_or_space_staff,
    space_owner_only=space_owner_only,
    project_reader=project_reader,
    project_owner=project_owner,
    own_only=own_only,
)
# Rules whose objects belong to a makerspace: each is checked on an object of A and one of B.
SPACE_RULES = {
    "space_member",
    "space_staff",
    "space_manager",
    "space_admin",
    "owner_or_space_staff",
    "calendar_feed",
    "space_owner_only",
    "project_reader",
    "project_owner",
    "own_only",
}

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
    # Notifications: each user's own list, read markers and preferences.
    "GET /api/v1/notifications/": "signed_in",
    "POST /api/v1/notifications/read-all/": "signed_in",
    "GET /api/v1/notifications/preferences/": "signed_in",
    "PUT /api/v1/notifications/preferences/": "signed_in",
    "POST /api/v1/notifications/{id}/read/": "own_notification",
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
    f"GET {MS}/makerspaces/{{id}}/settings/": "space_manager",
    f"PATCH {MS}/makerspaces/{{id}}/settings/": "space_manager",
    f"GET {MS}/makerspaces/{{id}}/settings/export/": "space_manager",
    f"POST {MS}/makerspaces/{{id}}/settings/import/": "space_manager",
    # Analytics: the makerspace named by ?makerspace= (its staff; another space's staff are refused).
    f"GET {MS}/analytics/{{report}}/": "space_staff",
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
    # Bulk: each id is checked by its single action's rule (refusals are listed in the 200 answer).
    f"POST {MS}/members/bulk/": "signed_in",
    f"GET {MS}/members/export.csv": "space_staff",
    # Invitations: staff invite (the service refines who invites which role); the token's bearer accepts.
    f"GET {MS}/makerspaces/{{id}}/invites/": "space_staff",
    f"POST {MS}/makerspaces/{{id}}/invites/": "space_staff",
    f"POST {MS}/invites/{{id}}/resend/": "space_staff",
    f"POST {MS}/invites/{{id}}/revoke/": "space_staff",
    f"POST {MS}/invites/{{token}}/accept/": "signed_in",
    # Badges: listed like skills; a member's badges for them and their space's staff. Incidents: staff only.
    f"GET {MS}/badges/": "signed_in",
    f"POST {MS}/badges/": "space_manager",
    f"GET {MS}/badges/{{id}}/": "space_member",
    f"PATCH {MS}/badges/{{id}}/": "space_manager",
    f"GET {MS}/members/{{id}}/badges/": "owner_or_space_staff",
    f"GET {MS}/members/{{id}}/skill-events/": "owner_or_space_staff",
    f"GET {MS}/incidents/": "signed_in",
    f"POST {MS}/incidents/": "space_staff",
    f"GET {MS}/incidents/{{id}}/": "space_staff",
    f"PATCH {MS}/incidents/{{id}}/": "space_staff",
    f"POST {MS}/incidents/{{id}}/investigate/": "space_staff",
    f"POST {MS}/incidents/{{id}}/close/": "space_staff",
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
    f"GET {MS}/skill-requests/": "signed_in",
    f"POST {MS}/skill-requests/": "space_member",
    f"POST {MS}/skill-requests/{{id}}/approve/": "space_staff",
    f"POST {MS}/skill-requests/{{id}}/reject/": "space_staff",
    # Equipment: live status (who uses it) for that space's members and staff only.
    f"GET {MS}/equipment/": "signed_in",
    f"POST {MS}/equipment/": "space_manager",
    f"GET {MS}/equipment/{{id}}/": "space_member",
    f"PATCH {MS}/equipment/{{id}}/": "space_manager",
    f"GET {MS}/equipment/{{id}}/availability/": "space_member",
    f"GET {MS}/equipment/{{id}}/status/": "space_member",
    f"POST {MS}/equipment/{{id}}/status/": "space_staff",
    f"GET {MS}/equipment/{{id}}/ratings/": "space_member",
    f"POST {MS}/equipment/{{id}}/ratings/": "space_member",
    # Reservations: members book and cancel their own; staff run the desk.
    f"GET {MS}/reservations/": "signed_in",
    f"POST {MS}/reservations/": "space_member",
    f"GET {MS}/reservations/{{id}}/": "owner_or_space_staff",
    f"POST {MS}/reservations/{{id}}/cancel/": "owner_or_space_staff",
    f"POST {MS}/reservations/{{id}}/check-in/": "space_staff",
    f"POST {MS}/reservations/{{id}}/complete/": "space_staff",
    f"POST {MS}/reservations/{{id}}/no-show/": "space_staff",
    f"POST {MS}/reservations/{{id}}/approve/": "space_staff",
    f"POST {MS}/reservations/{{id}}/reject/": "space_staff",
    f"GET {MS}/reservations/{{id}}/events/": "owner_or_space_staff",
    # Pricing: a quote for the space's members; rules and promo codes for its staff, written by managers.
    f"GET {MS}/equipment/{{id}}/price/": "space_member",
    f"GET {MS}/cost-rules/": "signed_in",
    f"POST {MS}/cost-rules/": "space_manager",
    f"GET {MS}/cost-rules/{{id}}/": "space_staff",
    f"PATCH {MS}/cost-rules/{{id}}/": "space_manager",
    f"DELETE {MS}/cost-rules/{{id}}/": "space_manager",
    f"GET {MS}/promo-codes/": "signed_in",
    f"POST {MS}/promo-codes/": "space_manager",
    f"GET {MS}/promo-codes/{{id}}/": "space_staff",
    # Waiting list: members queue for their space's machines and claim their own offers.
    f"GET {MS}/waitlist/": "signed_in",
    f"POST {MS}/waitlist/": "space_member",
    f"GET {MS}/waitlist/{{id}}/": "owner_or_space_staff",
    f"POST {MS}/waitlist/{{id}}/claim/": "space_owner_only",
    f"POST {MS}/waitlist/{{id}}/leave/": "owner_or_space_staff",
    # Usage sessions.
    # Billing: members see and pay their own issued invoices, staff draft, issue, void, record and refund them.
    f"GET {MS}/invoices/": "signed_in",
    f"POST {MS}/invoices/": "space_staff",
    f"GET {MS}/invoices/{{id}}/": "owner_or_space_staff",
    f"POST {MS}/invoices/{{id}}/issue/": "space_staff",
    f"POST {MS}/invoices/{{id}}/void/": "space_staff",
    f"POST {MS}/invoices/{{id}}/pay/": "owner_or_space_staff",
    f"POST {MS}/invoices/{{id}}/mark-paid/": "space_staff",
    f"POST {MS}/invoices/{{id}}/refund/": "space_staff",
    f"GET {MS}/invoices/{{id}}/pdf/": "owner_or_space_staff",
    f"GET {MS}/transactions/": "signed_in",
    # Wallets: a member's own (staff name a member); platform admins have none of their own (400).
    f"GET {MS}/wallet/": "space_member",
    f"GET {MS}/wallet/entries/": "signed_in",
    f"POST {MS}/wallet/top-ups/": "space_member",
    f"POST {MS}/wallet/reservation-payments/": "owner_or_space_staff",
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
    f"GET {MS}/maintenance/intervals/": "signed_in",
    f"POST {MS}/maintenance/intervals/": "space_staff",
    f"GET {MS}/maintenance/intervals/{{id}}/": "space_staff",
    f"PATCH {MS}/maintenance/intervals/{{id}}/": "space_staff",
    f"GET {MS}/maintenance/windows/": "signed_in",
    f"POST {MS}/maintenance/windows/": "space_staff",
    f"GET {MS}/maintenance/windows/{{id}}/": "space_member",
    f"POST {MS}/maintenance/windows/{{id}}/cancel/": "space_staff",
    # Inventory: members of the space see its items and draw from basic ones; staff keep the ledger.
    f"GET {MS}/inventory/items/": "signed_in",
    f"POST {MS}/inventory/items/": "space_staff",
    f"GET {MS}/inventory/items/{{id}}/": "space_member",
    f"PATCH {MS}/inventory/items/{{id}}/": "space_staff",
    f"GET {MS}/inventory/items/{{id}}/movements/": "space_staff",
    f"POST {MS}/inventory/items/{{id}}/movements/": "space_member",
    f"GET {MS}/inventory/items/{{id}}/label.png": "space_member",
    f"POST {MS}/inventory/items/import/": "space_staff",
    f"GET {MS}/inventory/items/export/": "space_staff",
    f"GET {MS}/inventory/low-stock/": "signed_in",
    f"GET {MS}/inventory/quick-reorder/": "space_staff",
    f"POST {MS}/inventory/quick-reorder/": "space_staff",
    f"GET {MS}/inventory/movements/export/": "space_staff",
    # Projects: public ones for everyone; A's object is a members-only project of OWNER. Owner, editors and the
    # space's staff change it; anyone who sees it (signed in) likes, bookmarks, comments, forks.
    f"GET {MS}/projects/": "public",
    f"POST {MS}/projects/": "space_member",
    f"GET {MS}/projects/featured/": "public",
    f"GET {MS}/projects/trending/": "public",
    f"GET {MS}/projects/{{id}}/": "project_reader",
    f"PATCH {MS}/projects/{{id}}/": "owner_or_space_staff",
    f"POST {MS}/projects/{{id}}/fork/": "space_member",
    f"POST {MS}/projects/{{id}}/like/": "space_member",
    f"POST {MS}/projects/{{id}}/unlike/": "space_member",
    f"POST {MS}/projects/{{id}}/bookmark/": "space_member",
    f"POST {MS}/projects/{{id}}/unbookmark/": "space_member",
    f"POST {MS}/projects/{{id}}/feature/": "space_staff",
    f"GET {MS}/projects/{{id}}/collaborators/": "project_reader",
    f"POST {MS}/projects/{{id}}/collaborators/": "project_owner",
    f"POST {MS}/projects/{{id}}/collaborators/accept/": "space_member",
    f"GET {MS}/projects/{{id}}/comments/": "project_reader",
    f"POST {MS}/projects/{{id}}/comments/": "space_member",
    f"PATCH {MS}/projects/{{id}}/comments/{{comment_id}}/": "own_only",
    f"DELETE {MS}/projects/{{id}}/comments/{{comment_id}}/": "owner_or_space_staff",
    f"GET {MS}/projects/{{id}}/tasks/": "project_reader",
    f"POST {MS}/projects/{{id}}/tasks/": "owner_or_space_staff",
    f"PATCH {MS}/projects/{{id}}/tasks/{{task_id}}/": "owner_or_space_staff",
    f"GET {MS}/projects/{{id}}/milestones/": "project_reader",
    f"POST {MS}/projects/{{id}}/milestones/": "owner_or_space_staff",
    f"PATCH {MS}/projects/{{id}}/milestones/{{milestone_id}}/": "owner_or_space_staff",
    f"GET {MS}/projects/{{id}}/files/": "project_reader",
    f"POST {MS}/projects/{{id}}/files/": "owner_or_space_staff",
    f"DELETE {MS}/projects/{{id}}/files/{{file_id}}/": "owner_or_space_staff",
    f"POST {MS}/projects/{{id}}/cover/": "owner_or_space_staff",
    f"GET {MS}/projects/{{id}}/bom/": "project_reader",
    f"POST {MS}/projects/{{id}}/bom/": "owner_or_space_staff",
    f"GET {MS}/projects/{{id}}/bom/totals/": "project_reader",
    f"POST {MS}/projects/{{id}}/bom/reserve-from-inventory/": "owner_or_space_staff",
    f"POST {MS}/projects/{{id}}/bom/to-store-cart/": "owner_or_space_staff",
    f"PATCH {MS}/projects/{{id}}/bom/{{line_id}}/": "owner_or_space_staff",
    f"POST {MS}/projects/{{id}}/bom/{{line_id}}/transition/": "owner_or_space_staff",
    # Service providers: the directory of verified providers for everyone signed in; one's own profile; staff of a
    # makerspace the provider works in verify them (A's provider works in A).
    f"GET {MS}/providers/": "signed_in",
    f"GET {MS}/providers/me/": "signed_in",
    f"PUT {MS}/providers/me/": "signed_in",
    f"GET {MS}/providers/{{id}}/": "signed_in",
    f"POST {MS}/providers/{{id}}/verify/": "space_staff",
    # Service jobs: everyone signed in may ask for the list (it shows their spaces' jobs, or a provider's own);
    # a job and its actions belong to its makerspace's staff (A's job is received and unassigned; the world's
    # providers are not personas) and are not found for anyone else.
    f"GET {MS}/jobs/": "signed_in",
    f"GET {MS}/jobs/{{id}}/": "space_staff",
    f"POST {MS}/jobs/{{id}}/accept/": "space_staff",
    f"POST {MS}/jobs/{{id}}/start/": "space_staff",
    f"POST {MS}/jobs/{{id}}/complete/": "space_staff",
    f"POST {MS}/jobs/{{id}}/ship/": "space_staff",
    f"POST {MS}/jobs/{{id}}/reject/": "space_staff",
    f"POST {MS}/jobs/{{id}}/cancel/": "space_staff",
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
    # The earlier store front (store/api/legacy, DESIGN.md §5.3): catalog public; carts by X-Session-ID or user
    # (the matrix sends no session id: a guest has no cart, cannot add, and reads no orders); orders owner only.
    "GET /api/enhanced-catalog/catalog/brands": "public",
    "GET /api/enhanced-catalog/catalog/categories/tree": "public",
    "GET /api/enhanced-catalog/catalog/collections": "public",
    "GET /api/enhanced-catalog/catalog/tags/popular": "public",
    "POST /api/enhanced-catalog/catalog/search/advanced": "public",
    "GET /api/products": "public",
    "GET /api/products/{product_id}": "public",
    "GET /api/products/slug/{product_slug}": "public",
    "GET /api/categories": "public",
    "GET /api/cart": "public",
    "POST /api/cart/add": "public",
    "PUT /api/cart/item/{item_id}": "cart_owner",
    "DELETE /api/cart/item/{item_id}": "cart_owner",
    "POST /api/orders/checkout": "public",
    "GET /api/orders": "signed_in",
    "GET /api/orders/{order_id}": "own_order",
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
    f"POST {ST}/orders/{{number}}/mark-paid/": "store_staff",
    # Coupons on the caller's cart (guests too); reviews: public reads, buyers write, store staff moderate;
    # reorder lists: private to their owner.
    f"POST {ST}/cart/coupon/": "public",
    f"DELETE {ST}/cart/coupon/": "public",
    f"GET {ST}/products/{{lookup}}/reviews/": "public",
    f"POST {ST}/products/{{lookup}}/reviews/": "verified_buyer",
    f"GET {ST}/reviews/": "signed_in",
    f"POST {ST}/reviews/{{id}}/publish/": "store_staff",
    f"POST {ST}/reviews/{{id}}/reject/": "store_staff",
    f"GET {ST}/reorder-lists/": "signed_in",
    f"POST {ST}/reorder-lists/": "signed_in",
    f"GET {ST}/reorder-lists/suggestions/": "signed_in",
    f"GET {ST}/reorder-lists/{{id}}/": "owner_only",
    f"PATCH {ST}/reorder-lists/{{id}}/": "owner_only",
    f"DELETE {ST}/reorder-lists/{{id}}/": "owner_only",
    f"POST {ST}/reorder-lists/{{id}}/to-cart/": "owner_only",
    # Maker services: guests too (their cart token); rows are the owner's, the guest's or store staff's.
    f"POST {ST}/uploads/": "public",
    f"GET {ST}/uploads/{{id}}/": "guest_owner_or_store_staff",
    f"POST {ST}/uploads/presign/": "public",
    f"POST {ST}/uploads/{{id}}/complete/": "guest_owner_or_store_staff",
    f"GET {ST}/materials/": "public",
    f"POST {ST}/quotes/": "public",
    f"GET {ST}/quotes/{{id}}/": "guest_owner_or_store_staff",
    f"GET {ST}/service-orders/": "signed_in",
    f"POST {ST}/service-orders/": "public",
    f"GET {ST}/service-orders/{{id}}/": "guest_owner_or_store_staff",
    f"POST {ST}/service-orders/{{id}}/publish/": "guest_owner_or_store_staff",
    "POST /api/complete_flows/quote": "public",
    "POST /api/complete_flows/service-orders/from-quote": "public",
    "POST /api/complete_flows/service-orders/{id}/publish-to-cave": "guest_owner_or_store_staff",
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
    "POST /api/v1/payments/stripe/webhook": "public",
    "POST /api/v1/payments/razorpay/webhook": "public",
    # Razorpay checkout's answer: its signature (HMAC with our key secret) is the proof, whoever brings it.
    "POST /api/v1/payments/razorpay/confirm/": "public",
    # The bridge receivers authenticate the other deployment (X-API-Key or X-Signature), not a user.
    "POST /api/v1/bridge/jobs": "bridge_peer",
    "POST /api/v1/bridge/jobs/{external_order_id}/cancel": "bridge_peer",
    "POST /api/v1/bridge/jobs/{job_id}/status": "bridge_peer",
    "POST /api/bridge/jobs/{job_id}/status": "bridge_peer",
    "POST /bridge/jobs/{job_id}/status": "bridge_peer",
    "POST /api/v1/bridge/reorder-lists": "bridge_peer",
    "POST /api/v1/bridge/carts": "bridge_peer",
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
