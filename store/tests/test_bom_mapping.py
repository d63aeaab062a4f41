"""BOM mapping on a generated catalog: the 691-part JLCPCB list, every fixture BOM's parts, and near-miss decoys
(same MPN prefix with another package suffix, the same MPN from another manufacturer, automotive variants).

Precision and recall are printed (run with ``-s`` to see them); exact SKU, supplier-part and MPN matches must
never be wrong, and a part withheld from the catalog must never map to one of its decoys.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from store.bom_parsing import parse_bom
from store.models import Product, StockLevel, SupplierPartNumber
from store.partnumbers import normalize_mpn
from store.services import bom_mapping
from store.services.bom_mapping import LineQuery, manufacturer_similarity, map_lines, packaging_base

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "bom"
BOMS = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in {".csv", ".txt", ".xlsx"} and "parts" not in p.name)
DECOY_MAKER = "Zetex Decoy Parts"


def _swap_last(mpn: str) -> str:
    """Another package suffix: the last letter or digit changed (``LM358DR`` → ``LM358DQ``)."""
    for index in range(len(mpn) - 1, -1, -1):
        char = mpn[index]
        if char.isdigit():
            return mpn[:index] + str((int(char) + 3) % 10) + mpn[index + 1 :]
        if char.isalpha():
            return mpn[:index] + ("Q" if char.upper() != "Q" else "Z") + mpn[index + 1 :]
    return mpn + "Q"


class Catalog:
    def __init__(self):
        self.products: list[Product] = []
        self.supplier_parts: list[tuple[int, str]] = []

    def add(self, *, mpn: str, manufacturer: str, name: str, description: str = "", lcsc: str = "") -> int:
        index = len(self.products)
        self.products.append(
            Product(
                sku=f"GEN-{index:06d}",
                slug=f"gen-{index}",
                name=name[:255] or mpn,
                mpn=mpn[:100],
                mpn_normalized=normalize_mpn(mpn[:100]),
                manufacturer=manufacturer[:200],
                description=description,
                price=Decimal("0.10"),
                currency="INR",
            )
        )
        if lcsc:
            self.supplier_parts.append((index, lcsc))
        return index

    def save(self) -> list[Product]:
        created = Product.objects.bulk_create(self.products)
        StockLevel.objects.bulk_create([StockLevel(product=p, on_hand=100_000) for p in created])
        SupplierPartNumber.objects.bulk_create(
            [
                SupplierPartNumber(
                    product=created[i], supplier="LCSC", part_number=n, part_number_normalized=normalize_mpn(n)
                )
                for i, n in self.supplier_parts
            ]
        )
        return created


def _jlc_rows():
    text = (FIXTURES / "atopile_jlcpcb_basic_parts.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def build_world():
    """The catalog and the BOM queries with the product each should map to (None: not in the catalog)."""
    catalog = Catalog()
    by_lcsc, by_mpn = {}, {}
    jlc = _jlc_rows()
    for row in jlc:
        index = catalog.add(
            mpn=row["MFR.Part #"],
            manufacturer=row["Manufacturer"],
            name=row["Description"],
            description=f"{row['Type']} {row['Package']}",
            lcsc=row["LCSC Part #"],
        )
        by_lcsc[row["LCSC Part #"]] = index
        by_mpn.setdefault(normalize_mpn(row["MFR.Part #"]), []).append(index)
    cases = []  # (LineQuery, truth index or None, kind)
    seen, withheld_count = set(), 0
    for name in BOMS:
        for line in parse_bom((FIXTURES / name).read_bytes(), max_lines=5000, max_uncompressed=50 << 20).lines:
            query = LineQuery(
                mpn=line.mpn, manufacturer=line.manufacturer, supplier_part=line.supplier_part,
                value=line.value, footprint=line.footprint, description=line.description,
                alternates=line.alternates,
            )  # fmt: skip
            if not (line.mpn or line.supplier_part):
                continue
            if line.supplier_part in by_lcsc:
                cases.append((query, by_lcsc[line.supplier_part], "supplier_part"))
                continue
            key = normalize_mpn(line.mpn) or normalize_mpn(line.supplier_part)
            if key in seen:
                continue
            seen.add(key)
            if len(by_mpn.get(normalize_mpn(line.mpn), [])) == 1 and line.mpn:
                cases.append((query, by_mpn[normalize_mpn(line.mpn)][0], "mpn"))
                continue
            withheld = len(seen) % 9 == 0  # not stocked: only its decoys are in the catalog
            truth = None
            if not withheld:
                truth = catalog.add(
                    mpn=line.mpn, manufacturer=line.manufacturer, name=f"{line.value} {line.description}".strip(),
                    description=line.footprint, lcsc=line.supplier_part,
                )  # fmt: skip
            else:
                withheld_count += 1
            if line.mpn:
                catalog.add(mpn=_swap_last(line.mpn), manufacturer=line.manufacturer, name=f"{line.value} variant")
                catalog.add(mpn=f"{line.mpn}-Q1", manufacturer=line.manufacturer, name=f"{line.value} automotive")
                if line.manufacturer:
                    catalog.add(mpn=line.mpn, manufacturer=DECOY_MAKER, name=f"{line.value} second source")
            cases.append((query, truth, "withheld" if withheld else ("mpn" if line.mpn else "supplier_part")))
    # Packaging variants of stocked parts: the same part, must map to it.
    for query, truth, kind in list(cases)[:60]:
        if truth is not None and query.mpn and kind == "mpn":
            for suffix in ("-TR", "/CT", "#PBF"):
                packaged = LineQuery(mpn=query.mpn + suffix, manufacturer=query.manufacturer)
                cases.append((packaged, truth, "packaging"))
    # Lines described by text only (no MPN or supplier number): fuzzy.
    for row in jlc[::23]:
        query = LineQuery(value=row["Description"], footprint=row["Package"])
        cases.append((query, by_lcsc[row["LCSC Part #"]], "fuzzy"))
    # Text-only lines for values nobody stocks (777 kΩ, 777 pF): their neighbours differ only in the value.
    for row in jlc[5::11]:
        missing_value = re.sub(r"\b\d+(?:\.\d+)?(KOHMS|MOHMS|OHMS|PF|NF|UF)\b", r"777\1", row["Description"], count=1)
        if missing_value != row["Description"]:
            cases.append((LineQuery(value=missing_value, footprint=row["Package"]), None, "fuzzy_absent"))
    products = catalog.save()
    resolved = [(q, products[t].pk if t is not None else None, kind) for q, t, kind in cases]
    return resolved, withheld_count


def _score(results):
    mapped = [(truth, match) for truth, match in results if match.status == "mapped"]
    correct = sum(1 for truth, match in mapped if match.product.pk == truth)
    findable = sum(1 for truth, _ in results if truth is not None)
    precision = correct / len(mapped) if mapped else 1.0
    recall = correct / findable if findable else 1.0
    return precision, recall, len(mapped), correct, findable


def test_mapping_precision_and_recall_on_a_catalog_with_decoys(settings, capsys):
    settings.STORE_BOM_MATCH_THRESHOLD = 0.85
    cases, withheld = build_world()
    matches = map_lines([query for query, _, _ in cases])
    by_kind: dict[str, list] = {}
    wrong = []
    for (query, truth, kind), match in zip(cases, matches, strict=True):
        by_kind.setdefault(kind, []).append((truth, match))
        if match.status == "mapped" and match.product.pk != truth:
            wrong.append((kind, query.mpn or query.supplier_part or query.value, match.method, match.product.mpn))
        assert 0.0 <= match.confidence <= 1.0
        assert len(match.candidates) <= 5
    with capsys.disabled():
        print(f"\nBOM mapping on {Product.objects.count()} products ({withheld} fixture parts withheld, decoys kept):")
        for kind, results in sorted(by_kind.items()):
            precision, recall, mapped, correct, findable = _score(results)
            print(
                f"  {kind:14s} lines {len(results):4d}  mapped {mapped:4d}  correct {correct:4d}  "
                f"precision {precision:.3f}  recall {recall:.3f} (of {findable} in the catalog)"
            )
        precision, recall, *_ = _score([r for results in by_kind.values() for r in results])
        print(f"  overall        precision {precision:.3f}  recall {recall:.3f}")
    exact_wrong = [w for w in wrong if w[2] in ("sku", "supplier_part", "mpn")]
    assert not exact_wrong, exact_wrong
    for kind in ("withheld", "fuzzy_absent"):
        mapped = [m for t, m in by_kind[kind] if m.status == "mapped"]
        assert not mapped, f"{kind}: a part missing from the catalog was mapped to a near miss"
    for kind in ("supplier_part", "mpn", "packaging"):
        precision, recall, *_ = _score(by_kind[kind])
        assert precision == 1.0
        assert recall >= 0.9, (kind, recall)
    precision, recall, *_ = _score(by_kind["fuzzy"])
    assert precision >= 0.95 and recall >= 0.8, (precision, recall)


def test_exact_mpn_with_two_manufacturers_needs_the_manufacturer(django_assert_max_num_queries):
    catalog = Catalog()
    catalog.add(mpn="LM358DR", manufacturer="Texas Instruments", name="Op amp")
    catalog.add(mpn="LM358DR", manufacturer="onsemi", name="Op amp")
    catalog.add(mpn="LM358DT", manufacturer="STMicroelectronics", name="Op amp")
    ti, onsemi, _ = catalog.save()
    with django_assert_max_num_queries(8):
        by_ti, unknown, by_other, decoy_only = map_lines(
            [
                LineQuery(mpn="lm358dr", manufacturer="TI Texas Instruments"),
                LineQuery(mpn="LM358DR"),
                LineQuery(mpn="LM358DR", manufacturer="Nexperia"),
                LineQuery(mpn="LM358DQ"),
            ]
        )
    assert (by_ti.status, by_ti.product.pk, by_ti.method) == ("mapped", ti.pk, "mpn")
    assert unknown.status == "ambiguous" and {c["product"] for c in unknown.candidates} == {ti.pk, onsemi.pk}
    assert by_other.status == "ambiguous" and by_other.product is None
    assert decoy_only.status != "mapped"


def test_sku_and_supplier_part_win_over_everything():
    catalog = Catalog()
    catalog.add(mpn="X1", manufacturer="A", name="thing one", lcsc="C1525")
    catalog.add(mpn="X2", manufacturer="A", name="thing two")
    first, second = catalog.save()
    by_sku, by_lcsc, unknown = map_lines(
        [
            LineQuery(supplier_part=second.sku.lower(), mpn="X1"),
            LineQuery(supplier_part="c1525"),
            LineQuery(supplier_part="C999999"),
        ]
    )
    assert (by_sku.product.pk, by_sku.method, by_sku.confidence) == (second.pk, "sku", 1.0)
    assert (by_lcsc.product.pk, by_lcsc.method) == (first.pk, "supplier_part")
    assert unknown.status == "unmatched"


def test_queries_do_not_grow_with_the_number_of_lines(django_assert_max_num_queries):
    catalog = Catalog()
    for i in range(50):
        catalog.add(mpn=f"PART{i:03d}X", manufacturer="Acme", name=f"Widget {i} 0603", lcsc=f"C{1000 + i}")
    catalog.save()
    lines = [LineQuery(mpn=f"PART{i:03d}X") for i in range(50)]
    lines += [LineQuery(supplier_part=f"C{1000 + i}") for i in range(50)]
    lines += [LineQuery(value=f"Widget {i}", footprint="0603") for i in range(50)]
    with django_assert_max_num_queries(9):
        matches = map_lines(lines)
    assert all(m.status == "mapped" for m in matches[:100])


def test_sqlite_fallback_pool_is_bounded_and_finds_candidates():
    catalog = Catalog()
    for i in range(400):
        catalog.add(mpn=f"RC0402FR-07{i}KL", manufacturer="Yageo", name=f"Resistor {i}k 0402")
    catalog.save()
    query = LineQuery(value="Resistor 17k", footprint="0402")
    pool = bom_mapping._fuzzy_pool_fallback({0: query})[0]
    assert len(pool) == bom_mapping.SQLITE_SCAN_LIMIT
    match = bom_mapping._match_fuzzy(query, pool + list(Product.objects.filter(name="Resistor 17k 0402")), 0.85)
    assert match.candidates and match.candidates[0]["name"] == "Resistor 17k 0402"


@pytest.mark.parametrize(
    ("mpn", "base"),
    [("LM358DR-TR", "LM358DR"), ("LM358DR/CT", "LM358DR"), ("LT1761ES5-5#PBF", "LT1761ES55"),
     ("LT1761ES5-5#TRPBF", "LT1761ES55"), ("CAT24M01YI\u2212GT3", "CAT24M01YIGT3"), ("LFXTAL058124REEL", "LFXTAL058124REEL")],
)  # fmt: skip
def test_packaging_base(mpn, base):
    assert packaging_base(mpn) == base


def test_manufacturer_similarity():
    assert manufacturer_similarity("TI(德州仪器)", "Texas Instruments") is not None
    assert manufacturer_similarity("Taiyo Yuden", "TAIYO YUDEN CO., LTD.") == 1.0
    assert manufacturer_similarity("Murata", DECOY_MAKER) < 0.8
    assert manufacturer_similarity("", "Murata") is None
