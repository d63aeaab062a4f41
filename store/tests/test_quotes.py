"""Quotes: the arithmetic against hand calculations, machine fit, options, idempotency, materials listing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from store.models import Material, Quote, ServiceCapability
from store.services.quotes import Rates, machine_fit, price_laser, price_print
from store.tests.factories import (
    LaserMaterialFactory,
    MaterialFactory,
    ServiceCapabilityFactory,
    UploadFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/store/quotes/"
D = Decimal
RATES = Rates(machine_per_hour=D("120.00"), labour_per_hour=D("200.00"))


@pytest.fixture(autouse=True)
def quote_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RATELIMIT_ENABLE = False
    settings.DEFAULT_TAX_RATE = D("18")


def _pla():
    return Material(name="PLA", process="print_3d", density_g_cm3=D("1.24"), price_per_kg=D("1800.00"))


# Each row worked by hand (see docs/store.md, "Quote formulas"):
#   fill = 0.30 + 0.70 x infill; printed = V x fill (x1.15 supports); mass = printed x 1.24 x 1.1
#   hours = printed / (12 x layer / 0.2); material = mass x q x 1.8/g; machine = hours x q x 120;
#   labour = (0.25 + 0.1 q) x 200; rush x1.8 on the subtotal; delivery by zone; GST 18 % on subtotal + delivery.
PRINT_TABLE = [
    # volume mm3, qty, options, material, machine, labour, rush, delivery, tax, total, lead days
    # 8 cm3 x 0.44 = 3.52 cm3; 4.80128 g x 1.8 = 8.64; 3.52/12 h x 120 = 35.20; 0.35 h x 200 = 70;
    # tax 18 % of 113.84 = 20.49; lead 2 + ceil(0.29/8) = 3 days.
    (8000, 1, {}, "8.64", "35.20", "70.00", None, "0.00", "20.49", "134.33", 3),
    # infill 100 %: 8 cm3 printed, 10.912 g x 4 x 1.8 = 78.57; draft layer 0.3 -> 18 cm3/h: 1.7778 h x 120 = 213.33;
    # labour 0.65 h = 130; tax 18 % of 421.90 = 75.94.
    (8000, 4, {"infill": 100, "quality": "draft"}, "78.57", "213.33", "130.00", None, "0.00", "75.94", "497.84", 3),
    # 50 cm3 x 0.44 x 1.15 = 25.3 cm3; 34.5092 g x 2 x 1.8 = 124.23; 2.1083 h x 2 x 120 = 506.00; labour 90;
    # rush 0.8 x 720.23 = 576.18; local delivery 60; tax 18 % of 1356.41 = 244.15; lead (2 + 1) / 2 -> 2 days.
    (
        50000,
        2,
        {"supports": True, "rush": True, "delivery_zone": "local"},
        "124.23",
        "506.00",
        "90.00",
        "576.18",
        "60.00",
        "244.15",
        "1600.56",
        2,
    ),
]


@pytest.mark.parametrize(
    "volume, quantity, options, material, machine, labour, rush, delivery, tax, total, days", PRINT_TABLE
)
def test_print_quote_arithmetic_matches_hand_calculation(
    volume, quantity, options, material, machine, labour, rush, delivery, tax, total, days
):
    options = {
        "infill": 20,
        "quality": "standard",
        "supports": False,
        "rush": False,
        "delivery_zone": "pickup",
        **options,
    }

    price = price_print(
        geometry={"volume_mm3": volume},
        material=_pla(),
        quantity=quantity,
        options=options,
        rates=RATES,
        tax_rate=D("18"),
    )

    lines = {line["item"]: line["amount"] for line in price.lines}
    assert lines["material"] == material
    assert lines["machine_time"] == machine
    assert lines["labour"] == labour
    assert lines.get("rush") == rush
    assert str(price.delivery) == delivery
    assert str(price.tax) == tax
    assert str(price.total) == total
    assert price.lead_time_days == days
    assert (
        price.total == sum(D(v) for k, v in lines.items() if k not in ("delivery", "tax")) + price.delivery + price.tax
    )


def test_print_estimates_for_the_makerspace():
    # 8 cm3 at 20 % infill: 3.52 cm3 printed, 4.80128 g; 3.52 / 12 h = 17.6 min.
    price = price_print(
        geometry={"volume_mm3": 8000},
        material=_pla(),
        quantity=1,
        options={"infill": 20, "quality": "standard"},
        rates=RATES,
        tax_rate=D("18"),
    )
    assert price.estimates["est_weight_g"] == 4.8
    assert price.estimates["est_time_min"] == 18  # 3.52 / 12 h = 17.6 min


LASER_TABLE = [
    # cut mm, engrave mm, bbox, qty, thickness, sheets, machine, labour, setup, tax, total
    # 1500 mm / 15 mm/s = 100 s at 600/h = 16.67; 1 sheet; 0.25 h labour = 50; setup 100; 18 % of 1066.67 = 192.00.
    (1500, 0, [100, 50], 1, 3, "900.00", "16.67", "50.00", "100.00", "192.00", "1258.67"),
    # 5 mm: 1500/8 + 2000/200 = 197.5 s x 10 = 0.5486 h x 600 = 329.17; 10 x 5000 mm2 < 0.85 sheet -> 1 sheet.
    (1500, 2000, [100, 50], 10, 5, "900.00", "329.17", "50.00", "100.00", "248.25", "1627.42"),
]


@pytest.mark.parametrize(
    "cut, engrave, bbox, quantity, thickness, sheets, machine, labour, setup, tax, total", LASER_TABLE
)
def test_laser_quote_arithmetic_matches_hand_calculation(
    cut, engrave, bbox, quantity, thickness, sheets, machine, labour, setup, tax, total
):
    material = Material(
        name="Acrylic",
        process="laser_cut",
        price_per_sheet=D("900.00"),
        sheet_width_mm=600,
        sheet_height_mm=400,
        thicknesses_mm=[3, 5],
        cut_speeds_mm_s={"3": 15, "5": 8},
        engrave_speed_mm_s=D("200"),
    )
    rates = Rates(machine_per_hour=D("600.00"), labour_per_hour=D("200.00"), setup_fee=D("100.00"))

    price = price_laser(
        geometry={"cut_length_mm": cut, "engrave_length_mm": engrave, "bbox_mm": bbox},
        material=material,
        quantity=quantity,
        options={"thickness_mm": thickness, "rush": False, "delivery_zone": "pickup"},
        rates=rates,
        tax_rate=D("18"),
    )

    lines = {line["item"]: line["amount"] for line in price.lines}
    assert (lines["sheets"], lines["machine_time"], lines["labour"], lines["setup"]) == (sheets, machine, labour, setup)
    assert (str(price.tax), str(price.total)) == (tax, total)


def test_machine_fit_names_the_reason():
    pla = MaterialFactory()
    assert machine_fit(process="print_3d", material=pla, bbox=[10, 10, 10]) == (
        None,
        "No makerspace accepts store jobs for 3d printing.",
    )
    printer = ServiceCapabilityFactory(bed_x_mm=250, bed_y_mm=210, bed_z_mm=220)
    assert machine_fit(process="print_3d", material=pla, bbox=[300, 10, 10])[0] is None
    assert "fits no machine" in machine_fit(process="print_3d", material=pla, bbox=[300, 10, 10])[1]
    assert machine_fit(process="print_3d", material=pla, bbox=[10, 215, 240]) == (printer, "")  # turned on its side
    printer.materials.set([MaterialFactory(slug="petg", name="PETG")])
    assert "offers PLA" in machine_fit(process="print_3d", material=pla, bbox=[10, 10, 10])[1]


def test_quote_api_prices_an_upload_and_is_idempotent(client_for):
    client = client_for()
    upload = UploadFactory(user=client.user)
    material = MaterialFactory()
    ServiceCapabilityFactory()
    body = {
        "upload": upload.pk,
        "process": "print_3d",
        "material": material.pk,
        "quantity": 2,
        "options": {"infill": 20},
    }

    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="q-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="q-1")

    assert first.status_code == 201, first.json()
    data = first.json()
    assert set(data) >= {"id", "total", "currency", "breakdown", "lead_time_days", "valid_until", "machine_fits"}
    assert data["machine_fits"] is True and data["currency"] == "INR"
    assert again.json()["id"] == data["id"] and again["Idempotent-Replayed"] == "true"
    assert Quote.objects.count() == 1
    # Without the key, a second quote is a new row (quotes are immutable; nothing is updated).
    assert client.post(URL, body, format="json").json()["id"] != data["id"]
    alias = client.post("/api/complete_flows/quote", body, format="json")
    assert alias.status_code == 201 and set(alias.json()) == set(data)


def test_quote_refusals(client_for):
    client = client_for()
    upload = UploadFactory(user=client.user)
    pla, acrylic = MaterialFactory(), LaserMaterialFactory()

    def post(**changes):
        body = {"upload": upload.pk, "process": "print_3d", "material": pla.pk, "quantity": 1, **changes}
        return client.post(URL, body, format="json")

    assert post(upload=UploadFactory().pk).json()["code"] == "upload_not_found"  # someone else's
    assert post(material=999999).status_code == 400
    assert post(process="laser_cut", material=acrylic.pk).json()["code"] == "process_mismatch"
    assert post(material=acrylic.pk).status_code == 400
    assert post(quantity=0).status_code == 400
    assert "options.infill" in post(options={"infill": 150}).json()["errors"]
    assert "options.colour" in post(options={"colour": "gold"}).json()["errors"]
    assert "options.foo" in post(options={"foo": 1}).json()["errors"]
    failed = UploadFactory(user=client.user, status="failed", failure_reason="Truncated", geometry={})
    response = post(upload=failed.pk)
    assert response.status_code == 409 and response.json()["code"] == "upload_not_ready"
    assert Quote.objects.count() == 0


def test_a_part_no_machine_fits_is_quoted_with_the_reason(client_for):
    client = client_for()
    upload = UploadFactory(user=client.user, geometry={"volume_mm3": 1000.0, "bbox_mm": [500.0, 10.0, 10.0]})
    ServiceCapabilityFactory()

    response = client.post(
        URL, {"upload": upload.pk, "process": "print_3d", "material": MaterialFactory().pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["machine_fits"] is False and "fits no machine" in response.json()["machine_fits_reason"]


def test_materials_are_listed_by_process(api_client, django_assert_max_num_queries):
    from store.seed import MAKER_SERVICES, seed_maker_services

    seed_maker_services(stdout=type("Out", (), {"write": staticmethod(lambda _: None)}))
    assert Material.objects.count() == 7 and ServiceCapability.objects.count() == 3
    with django_assert_max_num_queries(2):
        printing = api_client.get("/api/v1/store/materials/", {"process": "print_3d", "page_size": 100}).json()
    assert {row["slug"] for row in printing["results"]} == {"pla", "petg", "abs", "resin-standard"}
    with django_assert_max_num_queries(2):
        laser = api_client.get("/api/v1/store/materials/", {"process": "laser_cut", "page_size": 1}).json()
    assert laser["count"] == 3 and len(laser["results"]) == 1
    assert api_client.get("/api/v1/store/materials/", {"process": "cnc"}).status_code == 400
    assert MAKER_SERVICES.exists()
