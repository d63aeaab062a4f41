"""BOM admin: imports and their lines are read-only screens; the re-map action goes through the service."""

from __future__ import annotations

import pytest
from django.test import Client

from store.models import BomImport, BomLine, SupplierPartNumber
from store.services import SYSTEM
from store.services.bom import bom_import_remap
from store.tests.factories import ProductFactory, bom_import_for

pytestmark = pytest.mark.django_db


def _admin(make_user, roles):
    client = Client()
    client.force_login(make_user(roles=roles))
    return client


def test_bom_admin_screens_render_read_only(make_user):
    client = _admin(make_user, ["super_admin"])
    product = ProductFactory()
    SupplierPartNumber.objects.create(product=product, supplier="LCSC", part_number="C1525")
    bom_import = bom_import_for(product=product)
    for url in (
        "/admin/store/bomimport/",
        "/admin/store/bomimport/?q=board&file_format__exact=csv",
        f"/admin/store/bomimport/?q={product.mpn}",
        f"/admin/store/bomimport/{bom_import.pk}/change/",
        "/admin/store/bomline/?status__exact=mapped",
        "/admin/store/supplierpartnumber/?q=c1525",
        "/admin/store/supplierpartnumber/add/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/admin/store/bomimport/{bom_import.pk}/change/").content.decode()
    assert product.mpn in page and 'name="_save"' not in page
    assert client.get("/admin/store/bomimport/add/").status_code == 403


def test_remap_action_maps_lines_against_todays_catalog(make_user):
    bom_import = bom_import_for(product=None)
    line = bom_import.lines.get()
    product = ProductFactory(mpn=line.mpn, stock=5)
    client = _admin(make_user, ["super_admin"])
    response = client.post(
        "/admin/store/bomimport/", {"action": "remap", "_selected_action": [bom_import.pk]}, follow=True
    )
    assert response.status_code == 200
    line.refresh_from_db()
    assert (line.status, line.product, line.method) == (BomLine.Status.MAPPED, product, BomLine.Method.MPN)
    assert BomImport.objects.get(pk=bom_import.pk).summary["mapped"] == 1


def test_remap_keeps_manual_choices_and_refuses_customers(make_user):
    product = ProductFactory(stock=0)
    bom_import = bom_import_for(product=product)
    BomLine.objects.filter(bom_import=bom_import).update(method=BomLine.Method.MANUAL)
    bom_import_remap(actor=SYSTEM, bom_import=bom_import)
    line = bom_import.lines.get()
    assert (line.product, line.status) == (product, BomLine.Status.OUT_OF_STOCK)  # kept, stock re-checked
    from makrx.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        bom_import_remap(actor=make_user(), bom_import=bom_import)
