"""The objects API tests call: two makerspaces with one object of each kind, the personas, and store objects.

Shared by the permission matrix and the schemathesis fuzz tests; path templates are filled from it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from makrx.tests.permission_matrix_rules import OWNER, PERSONAS

PARAM = re.compile(r"([\w.-]+)/\{(\w+)\}")


def api_world(make_user):
    """Two makerspaces with one object of each kind, the personas, and the store's objects."""
    from makerspace.tests import factories as mf
    from makrx.models import Notification, Page
    from store.tests import factories as sf

    users = {p.name: (None if p.anonymous else make_user(f"mx-{p.name}", roles=list(p.roles))) for p in PERSONAS}
    spaces = {"A": mf.MakerspaceFactory(name="Space A"), "B": mf.MakerspaceFactory(name="Space B")}
    memberships = {"A": {}, "B": {}}
    for persona in PERSONAS:
        for space, role in persona.spaces.items():
            memberships[space][persona.name] = mf.MemberFactory(
                user=users[persona.name], makerspace=spaces[space], role=role
            )
    owners = {"A": memberships["A"][OWNER], "B": mf.MemberFactory(makerspace=spaces["B"])}
    soon = timezone.now().replace(minute=0, second=0, microsecond=0)
    objects = {}
    for key, space in spaces.items():
        owner = owners[key]
        equipment = mf.EquipmentFactory(makerspace=space)
        spare = mf.EquipmentFactory(makerspace=space)
        plan = mf.MembershipPlanFactory(makerspace=space)
        skill = mf.SkillFactory(makerspace=space)
        mf.MemberSkillFactory(member=owner, skill=skill)
        objects[key] = {
            "space": space,
            "member": owner,
            "equipment": equipment,
            "spare": spare,
            "closure": mf.ClosureFactory(makerspace=space),
            "plan": plan,
            "skill": skill,
            "new_skill": mf.SkillFactory(makerspace=space),
            "reservation": mf.ReservationFactory(
                equipment=equipment,
                member=owner,
                starts_at=soon + timedelta(days=1),
                ends_at=soon + timedelta(days=1, hours=1),
            ),
            "ticket": mf.MaintenanceTicketFactory(equipment=equipment),
            "window": mf.MaintenanceWindowFactory(
                equipment=equipment, starts_at=soon + timedelta(days=5), ends_at=soon + timedelta(days=5, hours=2)
            ),
            "usage": mf.UsageSessionFactory(equipment=spare, member=owner),
            "subscription": mf.SubscriptionFactory(member=owner, plan=plan),
            "inventory_item": mf.InventoryItemFactory(makerspace=space, stock=50),
            "project": mf.ProjectFactory(owner=owner.user, makerspace=space, visibility="members"),
            "free_slot": (soon + timedelta(days=3), soon + timedelta(days=3, hours=1)),
            "cost_rule": mf.CostRuleFactory(makerspace=space),
            "waitlist": mf.WaitlistEntryFactory(
                equipment=equipment,
                member=owner,
                starts_at=soon + timedelta(days=1),
                ends_at=soon + timedelta(days=1, hours=1),
            ),
            "promo_code": mf.PromoCodeFactory(makerspace=space),
        }
        objects[key]["invoice"] = mf.issued_invoice_for(member=owner)
        objects[key]["billable_record"] = mf.BillableRecordFactory(member=owner)
        objects[key]["invite_token"] = f"matrix-invite-token-{key}-0123456789abcdef"
        objects[key]["invite"] = mf.InviteFactory(makerspace=space, token=objects[key]["invite_token"])
        objects[key]["skill_request"] = mf.SkillRequestFactory(member=owner, skill=objects[key]["new_skill"])
        objects[key]["badge"] = mf.BadgeFactory(makerspace=space)
        objects[key]["incident"] = mf.SafetyIncidentFactory(equipment=equipment, member=owner)
        objects[key]["interval"] = mf.MaintenanceIntervalFactory(equipment=equipment)
    for key, space in spaces.items():
        objects[key]["provider"] = mf.ServiceProviderFactory(makerspaces=[space])
        objects[key]["job"] = mf.ServiceJobFactory(makerspace=space)
        project = objects[key]["project"]
        objects[key]["comment"] = mf.ProjectCommentFactory(project=project, author=project.owner)
        objects[key]["task"] = mf.ProjectTaskFactory(project=project)
        objects[key]["milestone"] = mf.ProjectMilestoneFactory(project=project)
        objects[key]["bom_line"] = mf.BOMLineFactory(project=project, inventory_item=objects[key]["inventory_item"])
        objects[key]["project_file"] = mf.ProjectFileFactory(project=project, uploaded_by=project.owner)
    calendar = mf.CalendarTokenFactory(user=users[OWNER])
    product = sf.ProductFactory(stock=10)
    cart = sf.CartFactory(user=users[OWNER])
    reorder_list = sf.ReorderListFactory(user=users[OWNER])
    sf.ReorderLineFactory(reorder_list=reorder_list, sku=product.sku, quantity=1)
    store = {
        "product": product,
        "reorder_list": reorder_list,
        "review": sf.ReviewFactory(product=product),
        "brand": product.brand,
        "category": product.category,
        "tag": sf.TagFactory(),
        "collection": sf.CollectionFactory(products=[product]),
        "item": sf.CartItemFactory(cart=cart, product=product),
        "order": sf.OrderFactory(user=users[OWNER]),
        "page": Page.objects.create(title="About", slug="about", body="Hello", published=True),
        "calendar": calendar.token,
        "service_order": sf.ServiceOrderFactory(quote__upload__user=users[OWNER]),
        "notification": Notification.objects.create(user=users[OWNER], kind="skill.expired", subject="Expired"),
        "bom_import": sf.bom_import_for(user=users[OWNER], product=product),
    }
    store["quote"] = store["service_order"].quote
    store["upload"] = store["quote"].upload
    return {"users": users, "memberships": memberships, "objects": objects, "store": store}


def path_value(world, resource: str, param: str, space: str, target=None):
    objects = world["objects"][space]
    store = world["store"]
    if param == "id":
        by_resource = {
            "makerspaces": objects["space"],
            "invoices": objects["invoice"],
            "members": target or objects["member"],
            "plans": objects["plan"],
            "subscriptions": objects["subscription"],
            "skills": objects["skill"],
            "equipment": objects["equipment"],
            "reservations": objects["reservation"],
            "usage-sessions": objects["usage"],
            "tickets": objects["ticket"],
            "windows": objects["window"],
            "reorder-lists": store["reorder_list"],
            "reviews": store["review"],
            "uploads": store.get("upload"),
            "quotes": store.get("quote"),
            "service-orders": store.get("service_order"),
            "invites": objects.get("invite"),
            "skill-requests": objects.get("skill_request"),
            "badges": objects.get("badge"),
            "incidents": objects.get("incident"),
            "intervals": objects.get("interval"),
            "cost-rules": objects["cost_rule"],
            "promo-codes": objects["promo_code"],
            "waitlist": objects["waitlist"],
            "items": objects["inventory_item"],
            "projects": objects["project"],
            "providers": objects["provider"],
            "jobs": objects["job"],
            "notifications": store["notification"],
            "bom-imports": store["bom_import"],
        }
        return by_resource[resource].pk
    by_param = {
        "closure_id": lambda: objects["closure"].pk,
        "comment_id": lambda: objects["comment"].pk,
        "task_id": lambda: objects["task"].pk,
        "milestone_id": lambda: objects["milestone"].pk,
        "line_id": lambda: objects["bom_line"].pk,
        "file_id": lambda: objects["project_file"].pk,
        "report": lambda: "reservations",
        "skill_id": lambda: objects["skill"].pk,
        "token": lambda: objects["invite_token"] if resource == "invites" else store["calendar"],
        "number": lambda: store["order"].number,
        "lookup": lambda: store["product"].slug,
        "product_slug": lambda: store["product"].slug,
        "product_id": lambda: store["product"].pk,
        "order_id": lambda: store["order"].pk,
        "item_id": lambda: store["item"].pk,
        "line": lambda: 1,
        "job_id": lambda: 1,
        "external_order_id": lambda: "1",  # the bridge cancel receiver (no such job: verified, then 404)
        "category_id": lambda: store["category"].pk,
        "slug": lambda: (
            {"pages": store["page"], "brands": store["brand"], "collections": store["collection"]}[resource].slug
        ),
    }
    return by_param[param]()


def fill_path(world, template: str, space: str, target=None) -> str:
    return PARAM.sub(
        lambda m: f"{m.group(1)}/{path_value(world, m.group(1), m.group(2), space, target)}",
        template,
    )
