"""Issue #16 item 6: after ``manage.py seed`` a store job routes to the sample space, is worked by its verified
provider and consumes the seeded filament; seeding again changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from makerspace.models import InventoryItem, ServiceJob, ServiceProvider, SpaceSettings, StockMovement
from makerspace.seed import SLUG
from makerspace.services import jobs as job_services
from makrx.auth.scoping import SYSTEM

pytestmark = pytest.mark.django_db


def _seed():
    call_command("seed", only=["makrx", "makerspace"], stdout=io.StringIO())


def _store_job(order_id: str, material: str, capability: str, weight: float):
    """The job message exactly as the store's ``job_message`` builds it (no makerspace chosen)."""
    return job_services.job_receive(
        actor=SYSTEM,
        source="store",
        external_order_id=order_id,
        title=f"Store order {order_id}",
        description="2 x part.stl",
        file_url="/media/uploads/part.stl",
        requirements={
            "material": material,
            "quality": "standard",
            "est_weight_g": weight,
            "est_time_min": 95,
            "capabilities": [capability],
        },
        delivery={"method": "ship", "address": {"city": "Pune", "postal_code": "411001"}},
        priority="normal",
        quantity=2,
    )[0]


def test_a_fresh_install_routes_and_completes_store_jobs():
    _seed()
    provider = ServiceProvider.objects.get(user__username="kiran")
    settings_row = SpaceSettings.objects.get(makerspace__slug=SLUG)
    assert settings_row.accepts_service_jobs and set(settings_row.service_capabilities) == {
        "3d_printer",
        "laser_cutter",
    }
    assert provider.verified_at is not None

    printed = _store_job("so-seed-1", "petg", "print_3d", 40.5)
    cut = _store_job("so-seed-2", "acrylic", "laser_cut", 0)

    assert printed.makerspace.slug == SLUG == cut.makerspace.slug
    assert printed.material_item.sku == "PETG-JOB-G" and cut.material_item.sku == "ACR-3MM-A3"
    for action in ("accept", "start", "complete", "ship"):
        getattr(job_services, f"job_{action}")(job=printed, actor=provider.user)
    printed.refresh_from_db()
    assert printed.status == "shipped" and printed.provider == provider
    assert InventoryItem.objects.get(sku="PETG-JOB-G").quantity == Decimal("2919.000")  # 3000 - 2 x 40.5
    assert StockMovement.objects.get(kind="job").reference == f"job:{printed.pk}"


def test_seeding_again_adds_nothing():
    _seed()
    before = (ServiceProvider.objects.count(), InventoryItem.objects.count(), SpaceSettings.objects.count())
    _seed()
    assert (ServiceProvider.objects.count(), InventoryItem.objects.count(), SpaceSettings.objects.count()) == before
    assert ServiceJob.objects.count() == 0
