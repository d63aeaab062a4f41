"""Maker-service admin: screens render, previews are PNGs, actions and saves go through the services."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from store.models import Material, Upload
from store.services import SYSTEM
from store.services.orders import order_mark_paid
from store.tests.factories import (
    MaterialFactory,
    QuoteFactory,
    ServiceCapabilityFactory,
    ServiceOrderFactory,
    UploadFactory,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def admin_client(make_user):
    client = Client()
    client.force_login(make_user("boss", roles=["super_admin"]))
    return client


def test_screens_render(admin_client):
    service_order = ServiceOrderFactory()
    ServiceCapabilityFactory().materials.set([service_order.quote.material])
    for name, obj in [
        ("upload", service_order.quote.upload),
        ("quote", service_order.quote),
        ("serviceorder", service_order),
        ("material", service_order.quote.material),
        ("servicecapability", ServiceCapabilityFactory()),
    ]:
        assert admin_client.get(f"/admin/store/{name}/").status_code == 200, name
        assert admin_client.get(f"/admin/store/{name}/{obj.pk}/change/").status_code == 200, name
    assert admin_client.get("/admin/store/upload/?q=cube").status_code == 200


@pytest.mark.parametrize(
    "folder, name, kind",
    [
        ("stl", "teapot_binary_open_zero_normals.stl", "stl"),
        ("dxf", "wrench_r2004_ac1018.dxf", "dxf"),
        ("svg", "vpype_all_shapes.svg", "svg"),
    ],
)
def test_previews_are_pngs(admin_client, folder, name, kind):
    upload = UploadFactory(kind=kind, file=ContentFile((FIXTURES / folder / name).read_bytes(), name=name))

    response = admin_client.get(f"/admin/store/upload/{upload.pk}/preview.png")

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_a_broken_file_has_no_preview_but_no_error(admin_client):
    upload = UploadFactory(file=ContentFile(b"\x01" * 100, name="broken.stl"))
    assert admin_client.get(f"/admin/store/upload/{upload.pk}/preview.png").status_code == 404


def test_publish_and_remeasure_actions_call_the_services(admin_client, django_capture_on_commit_callbacks):
    paid, unpaid = ServiceOrderFactory(), ServiceOrderFactory()
    order_mark_paid(order=paid.order, actor=SYSTEM)

    admin_client.post(
        "/admin/store/serviceorder/", {"action": "publish", "_selected_action": [paid.pk, unpaid.pk]}, follow=True
    )

    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert paid.status == "dispatched" and paid.outbound_message["source"] == "store"
    assert unpaid.status == "payment_pending"

    upload = UploadFactory(
        file=ContentFile((FIXTURES / "stl" / "cube_ascii_watertight.stl").read_bytes(), name="c.stl")
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/store/upload/", {"action": "remeasure", "_selected_action": [upload.pk]})
    upload.refresh_from_db()
    assert upload.status == Upload.Status.READY and upload.geometry["volume_mm3"] == pytest.approx(8.0)


def test_material_edits_go_through_the_service(admin_client, make_user):
    material = MaterialFactory()
    data = {
        "slug": "pla", "name": "PLA+", "process": "print_3d", "active": "on", "currency": "INR",
        "density_g_cm3": "1.25", "price_per_kg": "1900.00", "thicknesses_mm": "[]", "cut_speeds_mm_s": "{}",
        "engrave_speed_mm_s": "100", "colours": '["black"]',
    }  # fmt: skip
    response = admin_client.post(f"/admin/store/material/{material.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    material.refresh_from_db()
    assert (material.name, material.price_per_kg) == ("PLA+", Decimal("1900.00"))
    # Quotes given before keep their prices.
    quote = QuoteFactory(material=material)
    Material.objects.filter(pk=material.pk).update(price_per_kg=Decimal("1.00"))
    quote.refresh_from_db()
    assert quote.total == Decimal("118.00")
