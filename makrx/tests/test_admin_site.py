"""The staff admin's shell: grouped navigation, the Today page per makerspace, the Analytics page, branding."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib import admin
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from makerspace.models import Reservation
from makerspace.tests import factories as f
from makrx.admin import navigation, today
from makrx.admin.site import MakrXAdminSite

pytestmark = pytest.mark.django_db

KOLKATA = "Asia/Kolkata"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- navigation ----------------------------------------------------------------------------------------------------


def test_the_default_site_is_the_makrx_shell_and_keeps_its_registry():
    assert isinstance(admin.site, MakrXAdminSite)
    assert Reservation in admin.site._registry
    assert admin.site.site_url == "/docs"  # "View site" stays the API docs every deployment serves


def test_every_registered_platform_model_has_a_named_group():
    """A model of a platform app landing in the app fallback is a missing rule in makrx/admin/navigation.py."""
    unplaced = sorted(
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.app_label in navigation.PLATFORM_APPS and navigation.group_for(model._meta.label_lower) is None
    )
    assert unplaced == []


def test_the_grouped_app_list_shows_every_registered_model_once(make_user, rf):
    request = rf.get("/admin/")
    request.user = make_user("root", roles=["super_admin"])
    groups = admin.site.get_app_list(request)
    listed = [model["label"] for group in groups for model in group["models"] if model.get("label")]
    expected = sorted(model._meta.label_lower for model in admin.site._registry)
    assert sorted(listed) == expected
    assert len(listed) == len(set(listed))
    names = [group["name"] for group in groups]
    assert names == [g.name for g in navigation.GROUPS if g.name in names]  # job order, not app order
    assert names[:3] == ["Today", "Members", "Machines"]
    system = next(group for group in groups if group["group"] == "system")
    labels = {model["label"] for model in system["models"]}
    assert {"makrx.idempotencykey", "makerspace.calendartoken", "makrx.webhookevent", "makrx.user"} <= labels
    today_group = groups[0]
    assert [entry["name"] for entry in today_group["models"][:2]] == ["Today", "Analytics"]


def test_models_registered_later_land_by_name_or_fall_back_to_their_app(rf, make_user):
    assert navigation.group_for("makerspace.servicejob") == "jobs"
    assert navigation.group_for("makerspace.invoice") == "billing"
    assert navigation.group_for("makerspace.invoiceline") == "billing"
    assert navigation.group_for("makrx.wallettransaction") == "billing"
    assert navigation.group_for("bridge.outboxmessage") == "system"
    assert navigation.group_for("store.shipment") == "store"
    assert navigation.group_for("thirdparty.widget") is None
    request = rf.get("/admin/")
    request.user = make_user("root2", roles=["super_admin"])
    app_dict = {
        "thirdparty": {
            "name": "Third party",
            "app_label": "thirdparty",
            "app_url": "/admin/thirdparty/",
            "has_module_perms": True,
            "models": [{"name": "Widgets", "object_name": "Widget", "admin_url": "/admin/thirdparty/widget/"}],
        }
    }
    groups = navigation.grouped_app_list(app_dict, request)
    assert groups[-1]["name"] == "Third party" and groups[-1]["models"][0]["label"] == "thirdparty.widget"


def test_index_and_sidebar_render_the_groups_with_the_brand(make_user):
    client = login(make_user("root3", roles=["super_admin"]))
    index = client.get("/admin/").content.decode()
    assert 'id="group-members"' in index and 'id="group-system"' in index
    assert "makrx/admin/admin.css" in index and 'class="makrx-logo"' in index
    assert ">View site<" in index and 'href="/docs"' in index
    changelist = client.get("/admin/makerspace/reservation/").content.decode()
    sidebar = changelist[changelist.index('id="nav-sidebar"') :]
    assert "/admin/#group-bookings" in sidebar and "/admin/today/" in sidebar
    # An app's own index page stays Django's.
    assert client.get("/admin/makerspace/").status_code == 200


# --- Today ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def spaces(make_user):
    """Space A (Kolkata) with one of everything the Today page counts, space B with the same, a staff of A."""
    now = timezone.now()
    built = {}
    for key in ("a", "b"):
        space = f.MakerspaceFactory(name=f"Space {key.upper()}", timezone=KOLKATA)
        printer = f.EquipmentFactory(makerspace=space, name=f"Printer {key}")
        laser = f.EquipmentFactory(makerspace=space, name=f"Laser {key}", status="maintenance")
        f.EquipmentFactory(makerspace=space, name=f"Mill {key}", status="offline")
        f.ReservationFactory(
            equipment=printer, starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(minutes=30)
        )
        f.MemberFactory(makerspace=space, status="pending")
        f.MaintenanceTicketFactory(equipment=laser, title=f"Laser {key} mirror")
        f.MaintenanceTicketFactory(equipment=laser, status="resolved")
        f.InventoryItemFactory(makerspace=space, reorder_level=Decimal("5"))  # 0 on hand: low
        built[key] = space
    staff = make_user("staff_a", roles=[], is_staff=True)
    f.MemberFactory(user=staff, makerspace=built["a"], role="staff")
    return built["a"], built["b"], staff


def _panel(panels, key):
    return next(panel for panel in panels if panel["key"] == key)


def test_today_counts_the_makerspace_of_the_request_only(spaces):
    a, b, staff = spaces
    response = login(staff).get(f"/admin/today/?makerspace={a.pk}")
    assert response.status_code == 200
    panels = response.context_data["panels"]
    counts = {panel["key"]: panel["count"] for panel in panels}
    assert counts["bookings_now"] == 1
    assert counts["machines_down"] == 2
    assert counts["members_pending"] == 1
    assert counts["tickets_open"] == 1
    assert counts["low_stock"] == 1
    body = response.content.decode()
    assert "Laser a mirror" in body and "Laser b" not in body
    assert KOLKATA in body  # times are labelled with the space's time zone


def test_every_panel_links_to_the_list_of_what_it_counts(spaces, admin_client):
    a, _, _ = spaces
    member = f.MemberFactory(makerspace=a)
    printer = a.equipment.get(name="Printer a")
    now = timezone.now()
    # Counted by neither panel, yet matched by a looser filter: a pending booking already over, an issued invoice
    # not yet due. Counted: a pending booking ahead, an invoice past its due date.
    for starts in (now - dt.timedelta(days=2), now + dt.timedelta(days=2)):
        f.ReservationFactory(
            equipment=printer, status="pending", starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
        )
    f.issued_invoice_for(member=member)
    overdue = f.issued_invoice_for(member=member)
    type(overdue).objects.filter(pk=overdue.pk).update(due_on=now.date() - dt.timedelta(days=3))

    panels = admin_client.get(f"/admin/today/?makerspace={a.pk}").context_data["panels"]
    assert _panel(panels, "bookings_pending")["count"] == 1 and _panel(panels, "invoices_overdue")["count"] == 1
    for panel in panels:
        if panel["url"]:
            listed = admin_client.get(panel["url"])
            assert listed.status_code == 200, panel["key"]
            assert listed.context_data["cl"].result_count == panel["count"], panel["key"]


def test_today_lists_times_in_the_makerspace_time_zone(spaces):
    a, _, staff = spaces
    reservation = Reservation.objects.get(equipment__makerspace=a, status="confirmed")
    local_start = timezone.localtime(reservation.starts_at, a.tzinfo).strftime("%H:%M")
    panels = login(staff).get(f"/admin/today/?makerspace={a.pk}").context_data["panels"]
    assert _panel(panels, "bookings_now")["rows"][0]["when"].startswith(local_start)


def test_staff_of_a_cannot_pick_b_and_unknown_spaces_are_not_found(spaces):
    a, b, staff = spaces
    client = login(staff)
    assert client.get(f"/admin/today/?makerspace={b.pk}").status_code == 403
    assert client.get("/admin/today/?makerspace=999999").status_code == 404
    assert client.get("/admin/today/?makerspace=abc").status_code == 404
    assert client.get(f"/admin/analytics/?makerspace={b.pk}").status_code == 403
    switcher = client.get("/admin/today/").content.decode()
    assert "Space A" in switcher and "Space B" not in switcher


def test_a_staff_member_of_several_spaces_switches_between_them(spaces):
    a, b, staff = spaces
    c = f.MakerspaceFactory(name="Space C", timezone="Europe/Berlin")
    f.MemberFactory(user=staff, makerspace=c, role="manager")
    client = login(staff)
    first = client.get("/admin/today/")
    assert first.context_data["space"] == a  # the first by name
    assert [space.name for space in first.context_data["spaces"]] == ["Space A", "Space C"]
    switched = client.get(f"/admin/today/?makerspace={c.pk}")
    assert switched.status_code == 200 and switched.context_data["timezone_name"] == "Europe/Berlin"
    assert client.get(f"/admin/today/?makerspace={b.pk}").status_code == 403


def test_platform_admins_pick_any_makerspace(spaces, make_user):
    a, b, _ = spaces
    client = login(make_user("platform", roles=["admin"]))
    response = client.get(f"/admin/today/?makerspace={b.pk}")
    assert response.status_code == 200 and response.context_data["space"] == b
    body = response.content.decode()
    assert "Space A" in body and "Space B" in body  # both in the switcher


def test_a_staff_user_of_no_makerspace_sees_an_explanation(make_user):
    response = login(make_user("lonely", roles=[], is_staff=True)).get("/admin/today/")
    assert response.status_code == 200 and "not staff of any makerspace" in response.content.decode()


def test_each_panel_links_to_the_changelist_filtered_to_the_same_rows(spaces, make_user):
    a, _, _ = spaces
    client = login(make_user("platform2", roles=["admin"]))
    panels = client.get(f"/admin/today/?makerspace={a.pk}").context_data["panels"]
    for panel in panels:
        response = client.get(unescape(panel["url"]))
        assert response.status_code == 200, panel["key"]
        changelist = response.context_data["cl"]
        assert changelist.result_count == panel["count"], panel["key"]


def test_today_costs_one_query_per_panel_whatever_the_data(spaces, django_assert_num_queries):
    a, _, _ = spaces
    installed = len(today.today_panels(makerspace=a)[1])
    with django_assert_num_queries(installed):
        today.today_panels(makerspace=a)
    printer = a.equipment.get(name="Printer a")
    start = timezone.now() + dt.timedelta(hours=1)
    for hour in range(30):
        f.ReservationFactory(
            equipment=printer,
            starts_at=start + dt.timedelta(minutes=20 * hour),
            ends_at=start + dt.timedelta(minutes=20 * hour + 10),
            status="pending",
        )
        f.MemberFactory(makerspace=a, status="pending")
    with django_assert_num_queries(installed):
        _, panels = today.today_panels(makerspace=a)
    assert _panel(panels, "members_pending")["count"] == 31
    assert len(_panel(panels, "members_pending")["rows"]) == today.LIST_LENGTH


def test_today_page_query_count_does_not_grow_with_rows(spaces):
    a, _, staff = spaces
    client = login(staff)
    client.get(f"/admin/today/?makerspace={a.pk}")  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        client.get(f"/admin/today/?makerspace={a.pk}")
    for _ in range(20):
        f.MemberFactory(makerspace=a, status="pending")
        f.MaintenanceTicketFactory(equipment=a.equipment.get(name="Laser a"))
    with CaptureQueriesContext(connection) as many:
        client.get(f"/admin/today/?makerspace={a.pk}")
    assert len(many) == len(few)


# --- Analytics -----------------------------------------------------------------------------------------------------


@pytest.fixture
def busy_space(spaces):
    a, _, staff = spaces
    printer = a.equipment.get(name="Printer a")
    base = timezone.now() - dt.timedelta(days=3)
    for day in range(3):
        for status in ("completed", "no_show", "cancelled"):
            start = base + dt.timedelta(days=day, hours={"completed": 1, "no_show": 3, "cancelled": 5}[status])
            f.ReservationFactory(
                equipment=printer, starts_at=start, ends_at=start + dt.timedelta(hours=1), status=status
            )
    return a, staff


def _chart_data(body: str) -> dict:
    match = re.search(r'<script id="analytics-data" type="application/json">(.*?)</script>', body, re.S)
    assert match, "the charts' data is embedded with json_script"
    return json.loads(match.group(1))


def test_analytics_page_embeds_each_reports_data_from_the_api_service(busy_space, api_client):
    from decimal import Decimal

    from makerspace.services.inventory import movement_record
    from makrx.auth.scoping import SYSTEM

    a, staff = busy_space
    resin = f.InventoryItemFactory(makerspace=a, unit_cost=Decimal("4.00"), stock=10)
    movement_record(actor=SYSTEM, item=resin, kind="usage", quantity="2.5")
    response = login(staff).get(f"/admin/analytics/?makerspace={a.pk}&bucket=day")
    assert response.status_code == 200
    reports = {report["key"]: report for report in response.context_data["reports"]}
    assert set(reports) == {"utilization", "reservations", "peak-hours", "members", "revenue", "inventory", "jobs"}
    charts = {chart["id"]: chart for chart in _chart_data(response.content.decode())["charts"]}

    api_client.force_authenticate(staff)
    api = api_client.get(f"/api/v1/makerspace/analytics/reservations/?makerspace={a.pk}&bucket=day").json()
    assert reports["reservations"]["result"]["totals"] == api["totals"]
    by_status = charts["chart-reservations-1"]["config"]["data"]
    assert by_status["labels"] == [row["start"] for row in api["series"]]
    drawn = {ds["label"]: sum(ds["data"]) for ds in by_status["datasets"]}
    assert drawn == {"Completed": 3, "No show": 3, "Cancelled": 3, "Confirmed": 1}

    peak = charts["chart-peak-hours-1"]["config"]["data"]
    assert sum(sum(ds["data"]) for ds in peak["datasets"]) == reports["peak-hours"]["result"]["totals"]["reservations"]
    utilization = charts["chart-utilization-1"]["config"]["data"]["datasets"]
    reserved = next(ds for ds in utilization if ds["label"] == "Reserved hours")
    assert reserved["data"] == [row["reserved_hours"] for row in reports["utilization"]["result"]["series"]]
    assert "chart-members-1" in charts
    # The inventory report draws the ledger: 10 restocked and 2.5 used at 4.00 each, in today's bucket.
    assert reports["inventory"]["available"]
    assert reports["inventory"]["result"]["totals"]["consumed_value"] == "10.00"
    assert ("Stock value at end", "30.00") in reports["inventory"]["figures"]
    inventory = {ds["label"]: ds["data"] for ds in charts["chart-inventory-1"]["config"]["data"]["datasets"]}
    assert sum(inventory["Consumed value"]) == 10.0 and sum(inventory["Restocked value"]) == 40.0
    by_kind = charts["chart-inventory-2"]["config"]["data"]["datasets"]
    assert [(ds["label"], sum(ds["data"])) for ds in by_kind] == [("Usage", 10.0)]


def test_analytics_links_each_reports_csv_export(busy_space):
    a, staff = busy_space
    client = login(staff)
    response = client.get(f"/admin/analytics/?makerspace={a.pk}&bucket=week")
    for report in response.context_data["reports"]:
        csv_response = client.get(unescape(report["csv_url"]))
        assert csv_response.status_code == 200, report["key"]
        assert csv_response["Content-Type"].startswith("text/csv")
        assert csv_response.content.decode().startswith("start")


def test_analytics_refuses_bad_periods_on_the_form(busy_space):
    a, staff = busy_space
    client = login(staff)
    response = client.get(f"/admin/analytics/?makerspace={a.pk}&from=2026-05-01&to=2026-04-01")
    assert response.status_code == 200 and response.context_data["reports"] == []
    assert "on or before" in response.content.decode()
    response = client.get(f"/admin/analytics/?makerspace={a.pk}&from=2000-01-01&to=2026-01-01&bucket=day")
    assert response.status_code == 200 and "1000" in response.content.decode()
    assert client.get(f"/admin/analytics/?makerspace={a.pk}&from=notadate").status_code == 200


def test_analytics_on_sqlite_says_what_the_api_says(busy_space, monkeypatch):
    a, staff = busy_space
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    response = login(staff).get(f"/admin/analytics/?makerspace={a.pk}")
    assert response.status_code == 200
    assert "Analytics need PostgreSQL" in response.content.decode()
    assert response.context_data["reports"] == []


def test_admin_pages_load_scripts_from_static_files_only(busy_space):
    """The Content-Security-Policy forbids inline scripts: every script is a file, data is json_script."""
    a, staff = busy_space
    client = login(staff)
    for url in (f"/admin/analytics/?makerspace={a.pk}", f"/admin/today/?makerspace={a.pk}", "/admin/"):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        for tag in re.findall(r"<script[^>]*>", response.content.decode()):
            assert "src=" in tag or 'type="application/json"' in tag, tag
    analytics = client.get(f"/admin/analytics/?makerspace={a.pk}").content.decode()
    assert "/static/makrx/vendor/chart.js/chart.umd.min.js" in analytics
    assert client.get("/static/makrx/vendor/chart.js/chart.umd.min.js").status_code == 200


def test_the_rule_table_names_each_model_once_and_only_known_groups():
    labels = [label for group in navigation.GROUPS for label in group.models]
    assert len(labels) == len(set(labels))
    assert [group.key for group in navigation.GROUPS] == [
        "today",
        "members",
        "machines",
        "bookings",
        "inventory",
        "store",
        "jobs",
        "billing",
        "system",
    ]
