"""The staff admin in a real browser (Debian's chromium through Playwright) against the live server on PostgreSQL.

Each test walks one job a staff member does, through the admin's own actions (which call the services), and
checks the database afterwards; every page visited is saved as a full-page screenshot under
``artifacts/browser/<test name>/``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from makerspace.models import Equipment, MaintenanceTicket, Member, Reservation
from makerspace.tests import factories as f
from makrx.auth.devtokens import dev_token_mint
from makrx.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def cave(make_user):
    """A Bengaluru makerspace on a working day: a manager, a pending member, a booking waiting for approval,
    one confirmed tomorrow, a low-stock item and some history for the analytics."""
    space = f.MakerspaceFactory(name="MakrX Cave Bengaluru", slug="cave-blr", timezone="Asia/Kolkata")
    manager = make_user("priya", roles=["makerspace_admin"], first_name="Priya", last_name="Rao")
    manager.set_password(PASSWORD)
    manager.save()
    f.MemberFactory(user=manager, makerspace=space, role="manager")
    printer = f.EquipmentFactory(makerspace=space, name="Prusa MK4")
    f.EquipmentFactory(makerspace=space, name="Epilog laser", equipment_type="laser_cutter")
    asha = f.MemberFactory(makerspace=space, user=f.UserFactory(username="asha", first_name="Asha"))
    pending_member = f.MemberFactory(
        makerspace=space, status="pending", user=f.UserFactory(username="rahul", first_name="Rahul")
    )
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(hours=2)
    pending = f.ReservationFactory(
        equipment=printer, member=asha, user=asha.user, starts_at=soon, ends_at=soon + dt.timedelta(hours=1)
    )
    Reservation.objects.filter(pk=pending.pk).update(status="pending")
    tomorrow = soon + dt.timedelta(days=1)
    confirmed = f.ReservationFactory(
        equipment=printer, member=asha, user=asha.user, starts_at=tomorrow, ends_at=tomorrow + dt.timedelta(hours=2)
    )
    for day in range(1, 6):
        start = timezone.now().replace(microsecond=0) - dt.timedelta(days=day, hours=3)
        status = "no_show" if day == 3 else "completed"
        f.ReservationFactory(
            equipment=printer,
            member=asha,
            user=asha.user,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            status=status,
        )
    # Two on the shelf (a restock in the ledger, so the inventory report has a figure), under its level of 3.
    f.InventoryItemFactory(makerspace=space, name="PLA filament 1 kg", reorder_level=Decimal("3"), stock=2)
    return {
        "space": space,
        "manager": manager,
        "printer": printer,
        "asha": asha,
        "pending_member": pending_member,
        "pending": pending,
        "confirmed": confirmed,
    }


def run_action(page, action: str, pk: int) -> str:
    """Tick one row of the open changelist, run an admin action on it, return the message shown."""
    page.check(f'input[name="_selected_action"][value="{pk}"]')
    page.select_option('select[name="action"]', action)
    page.click('button[name="index"]')
    page.wait_for_selector(".messagelist")
    return page.inner_text(".messagelist")


def test_sign_in_with_username_and_password(page, live_server, cave, screens):
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#id_username")
    screens("sign-in")
    page.fill("#id_username", "priya")
    page.fill("#id_password", PASSWORD)
    page.click('input[type="submit"]')
    page.wait_for_selector("#group-today")
    assert page.url == f"{live_server.url}/admin/"
    groups = [text.title() for text in page.locator("#content-main caption a.section").all_inner_texts()]
    assert groups[:4] == ["Today", "Members", "Machines", "Bookings"]
    assert "priya" in page.inner_text("#user-tools").lower()
    screens("index")


def test_approve_a_pending_member(page, live_server, cave, signed_in, screens):
    signed_in(cave["manager"])
    page.goto(f"{live_server.url}/admin/makerspace/member/?status__exact=pending")
    screens("pending-members")
    message = run_action(page, "approve", cave["pending_member"].pk)
    assert "1 approved" in message
    screens("approved")
    assert Member.objects.get(pk=cave["pending_member"].pk).status == "active"


def test_approve_and_cancel_a_reservation(page, live_server, cave, signed_in, screens):
    signed_in(cave["manager"])
    pending, confirmed = cave["pending"], cave["confirmed"]
    page.goto(f"{live_server.url}/admin/makerspace/reservation/?status__exact=pending")
    screens("pending-bookings")
    assert "1 approved" in run_action(page, "approve", pending.pk)
    assert Reservation.objects.get(pk=pending.pk).status == "confirmed"
    screens("approved")
    page.goto(f"{live_server.url}/admin/makerspace/reservation/?status__exact=confirmed")
    assert "1 cancelled" in run_action(page, "cancel_reservations", confirmed.pk)
    screens("cancelled")
    cancelled = Reservation.objects.get(pk=confirmed.pk)
    assert cancelled.status == "cancelled" and cancelled.cancelled_by == cave["manager"]


def test_open_and_resolve_a_maintenance_ticket(browser, page, live_server, cave, signed_in, screens):
    printer = cave["printer"]
    # A member reports a fault through the API (their own token), as the member portal does.
    reporter = browser.new_context()
    token = dev_token_mint(username="asha", roles=[], subject=cave["asha"].user.keycloak_sub)
    response = reporter.request.post(
        f"{live_server.url}/api/v1/makerspace/maintenance/tickets/",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        data=json.dumps({"equipment": printer.pk, "title": "Nozzle clogged", "priority": "high"}),
    )
    status, text = response.status, response.text()
    reporter.close()
    assert status == 201, text
    ticket = MaintenanceTicket.objects.get(equipment=printer)

    signed_in(cave["manager"])
    page.goto(f"{live_server.url}/admin/today/?makerspace={cave['space'].pk}")
    assert page.inner_text("#panel-tickets_open .makrx-count") == "1"
    screens("today-with-ticket")
    page.click("#panel-tickets_open li a")  # open the ticket from the Today page
    page.wait_for_selector("#maintenanceticket_form")
    assert "Nozzle clogged" in page.content()
    screens("ticket")
    page.goto(f"{live_server.url}/admin/makerspace/maintenanceticket/?status__in=open,in_progress")
    assert "1 resolved" in run_action(page, "resolve_tickets", ticket.pk)
    screens("resolved")
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.resolved_at is not None
    assert Equipment.objects.get(pk=printer.pk).status == "available"
    page.goto(f"{live_server.url}/admin/today/?makerspace={cave['space'].pk}")
    assert page.inner_text("#panel-tickets_open .makrx-count") == "0"


def test_today_page_shows_the_days_counts(page, live_server, cave, signed_in, screens):
    signed_in(cave["manager"])
    page.goto(f"{live_server.url}/admin/today/?makerspace={cave['space'].pk}")
    page.wait_for_selector(".makrx-cards")
    screens("today")

    def count(panel: str) -> int:
        return int(page.inner_text(f"#panel-{panel} .makrx-count"))

    space = cave["space"]
    assert count("members_pending") == Member.objects.filter(makerspace=space, status="pending").count() == 1
    assert count("bookings_pending") == 1
    assert count("low_stock") == 1
    assert count("machines_down") == 0
    assert "Asia/Kolkata" in page.inner_text(".makrx-clock")
    page.emulate_media(color_scheme="dark")
    screens("today-dark")
    page.emulate_media(color_scheme="light")
    # The count links to the changelist filtered to the same rows.
    page.click("#panel-members_pending a.makrx-count")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 1
    screens("filtered-members")


def test_analytics_page_draws_its_charts(page, live_server, cave, signed_in, screens):
    signed_in(cave["manager"])
    page.goto(f"{live_server.url}/admin/analytics/?makerspace={cave['space'].pk}&bucket=day")
    page.wait_for_function("document.documentElement.dataset.chartsDrawn !== undefined")
    charts = page.evaluate(
        """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
            const chart = Chart.getChart(canvas);
            return {
                id: canvas.id,
                drawn: Boolean(chart),
                labels: chart ? chart.data.labels.length : 0,
                total: chart ? chart.data.datasets.reduce(
                    (sum, ds) => sum + ds.data.reduce((a, b) => a + Math.abs(b || 0), 0), 0) : 0,
            };
        })"""
    )
    by_id = {chart["id"]: chart for chart in charts}
    assert {"chart-utilization-1", "chart-reservations-1", "chart-peak-hours-1", "chart-members-1"} <= set(by_id)
    assert all(chart["drawn"] for chart in charts)
    assert by_id["chart-reservations-1"]["labels"] == 30  # the default period: 30 local days
    assert by_id["chart-reservations-1"]["total"] >= 5  # 5 past bookings (and today's pending one)
    assert by_id["chart-peak-hours-1"]["total"] >= 4  # the no-show is not counted
    assert by_id["chart-inventory-1"]["total"] == 25.0  # the opening restock: 2 at 12.50
    screens("analytics")
    page.emulate_media(color_scheme="dark")
    page.reload()
    page.wait_for_function("document.documentElement.dataset.chartsDrawn !== undefined")
    screens("analytics-dark")


def test_a_notification_arrives_in_the_in_app_list(browser, page, live_server, cave, signed_in, screens):
    signed_in(cave["manager"])
    page.goto(f"{live_server.url}/admin/makerspace/reservation/?status__exact=pending")
    assert "1 approved" in run_action(page, "approve", cave["pending"].pk)
    assert Notification.objects.filter(user=cave["asha"].user, kind="reservation.approved").count() == 1

    member = browser.new_context(viewport={"width": 1440, "height": 900})
    token = dev_token_mint(username="asha", roles=[], subject=cave["asha"].user.keycloak_sub)
    member.set_extra_http_headers({"Authorization": f"Bearer {token}"})
    listing = member.request.get(f"{live_server.url}/api/v1/notifications/")
    assert listing.status == 200, listing.text()
    body = listing.json()
    kinds = [item["kind"] for item in body["results"]]
    assert kinds == ["reservation.approved"]
    member_page = member.new_page()
    member_page.goto(f"{live_server.url}/api/v1/notifications/")
    screens.page = member_page
    screens("member-notifications")
    member.close()
