"""Mapping BOM lines to catalog products: exact SKU or supplier part number, normalized MPN (manufacturer as the
tie-breaker), then fuzzy text (PostgreSQL trigram candidates, rapidfuzz scores; a bounded scan on SQLite).

The queries do not grow with the number of lines: each stage is one query for the whole BOM.
An exact SKU/MPN is never mapped to another part: when the catalog holds that number for several products, or
only under another manufacturer, the line is ``ambiguous`` and a person chooses. A line whose MPN is not in the
catalog never maps by fuzzy text on its own (a one-letter MPN difference is usually another package).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from rapidfuzz import fuzz

from store.models import Product, SupplierPartNumber
from store.partnumbers import normalize_mpn

CANDIDATES = 5
FUZZY_POOL = 12
AMBIGUOUS_FLOOR = 0.5
FUZZY_MARGIN = 0.05
SQLITE_SCAN_LIMIT = 300
MPN_EXACT, MPN_PACKAGING, MPN_MANUFACTURER_TIE = 1.0, 0.97, 0.95

# Packaging-only suffixes (tape and reel, cut tape, lead-free marks, distributor -ND): the same part.
_PACKAGING = re.compile(
    r"(?:[-/#_ ](?:TR|T&R|TAPE|REEL|CT|CUT|DKR|BULK|PBF|TRPBF|LF|ND|1-ND|CT-ND|TR-ND|DKR-ND))+$|#PBF$|#TRPBF$"
)
_COMPANY_NOISE = re.compile(
    r"\b(INC|LTD|LLC|CO|CORP|CORPORATION|COMPANY|GMBH|AG|SA|BV|ELECTRONICS?|ELEC|SEMICONDUCTORS?|TECHNOLOGY|"
    r"TECH|INTERNATIONAL|GROUP|USA|THE)\b"
)


def packaging_base(mpn: str) -> str:
    """The MPN without packaging suffixes, normalized: ``"LM358DR-TR"``, ``"LM358DR/CT"`` → ``"LM358DR"``."""
    text = unicodedata.normalize("NFKC", mpn or "").upper().strip()
    previous = None
    while previous != text:
        previous, text = text, _PACKAGING.sub("", text).strip()
    return normalize_mpn(text)


def manufacturer_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").upper()
    text = re.sub(r"[^A-Z0-9 ]", " ", text)
    return " ".join(_COMPANY_NOISE.sub(" ", text).split())


def manufacturer_similarity(a: str, b: str) -> float | None:
    """0..1 how alike two manufacturer names are ("Texas Instruments" ~ "TI(德州仪器) Texas Instruments"); None if
    either is unknown."""
    a, b = manufacturer_key(a), manufacturer_key(b)
    if not a or not b:
        return None
    if a == b:
        return 1.0
    return max(fuzz.token_set_ratio(a, b), fuzz.partial_ratio(a, b) if min(len(a), len(b)) >= 4 else 0) / 100


@dataclass
class LineQuery:
    mpn: str = ""
    manufacturer: str = ""
    supplier_part: str = ""
    value: str = ""
    footprint: str = ""
    description: str = ""
    alternates: list[dict] = field(default_factory=list)

    def words(self) -> str:
        """What the part is, in words (value, package, description): the text the catalog is searched by."""
        footprint = self.footprint.split(":")[-1]
        return " ".join(part for part in (self.value, footprint, self.description) if part)[:300]

    def text(self) -> str:
        """The words and the MPN: what candidates are scored against."""
        return " ".join(part for part in (self.words(), self.mpn) if part)


@dataclass
class LineMatch:
    status: str  # mapped, ambiguous, unmatched (stock is checked by the caller)
    method: str = ""
    product: Product | None = None
    confidence: float = 0.0
    candidates: list[dict] = field(default_factory=list)


def product_manufacturer(product: Product) -> str:
    return product.manufacturer or (product.brand.name if product.brand_id and product.brand else "")


def candidate_data(product: Product, confidence: float) -> dict:
    stock = getattr(product, "stock", None)
    return {
        "product": product.pk,
        "sku": product.sku,
        "name": product.name,
        "mpn": product.mpn,
        "manufacturer": product_manufacturer(product),
        "stock_available": stock.available if stock is not None else 0,
        "confidence": round(confidence, 3),
    }


PRODUCT_FIELDS = (
    "id", "sku", "slug", "name", "mpn", "mpn_normalized", "manufacturer", "description", "price", "currency",
    "active", "brand__name", "stock__on_hand", "stock__reserved",
)  # fmt: skip


def _products():
    """Active products with what mapping and the candidates show (not the search vector, images or attributes)."""
    return Product.objects.filter(active=True).select_related("stock", "brand").only(*PRODUCT_FIELDS)


def _by_sku(queries: list[LineQuery]) -> dict[str, Product]:
    values = {q.supplier_part.strip() for q in queries if q.supplier_part.strip()}
    if not values:
        return {}
    values |= {v.upper() for v in values}
    return {p.sku.upper(): p for p in _products().filter(sku__in=values)}


def _by_supplier_part(queries: list[LineQuery]) -> dict[str, list[Product]]:
    values = {normalize_mpn(q.supplier_part) for q in queries if q.supplier_part.strip()}
    values.discard("")
    found: dict[str, list[Product]] = {}
    if not values:
        return found
    rows = (
        SupplierPartNumber.objects.filter(part_number_normalized__in=values, product__active=True)
        .select_related("product__stock", "product__brand")
        .only("part_number_normalized", "product_id", *(f"product__{name}" for name in PRODUCT_FIELDS))
    )
    for row in rows:
        bucket = found.setdefault(row.part_number_normalized, [])
        if all(p.pk != row.product_id for p in bucket):
            bucket.append(row.product)
    return found


def _mpns_of(query: LineQuery) -> list[tuple[str, str]]:
    """(mpn, manufacturer) pairs to try: the line's own, then its alternates."""
    pairs = [(query.mpn, query.manufacturer)] if query.mpn else []
    pairs += [(a.get("mpn", ""), a.get("manufacturer", "")) for a in query.alternates if a.get("mpn")]
    return pairs


def _by_mpn(queries: list[LineQuery]) -> dict[str, list[Product]]:
    """Products whose normalized MPN equals, or starts with, the packaging base of a line's MPN (one query)."""
    bases = {packaging_base(mpn) for q in queries for mpn, _ in _mpns_of(q)}
    bases.discard("")
    exact = {normalize_mpn(mpn) for q in queries for mpn, _ in _mpns_of(q)}
    found: dict[str, list[Product]] = {}
    if not bases:
        return found
    condition = Q(mpn_normalized__in=bases | exact)
    for base in bases:
        if len(base) >= 4:  # a packaging variant of a very short number is more likely another part
            condition |= Q(mpn_normalized__startswith=base)
    for product in _products().filter(condition):
        found.setdefault(packaging_base(product.mpn), []).append(product)
    return found


def _match_mpn(query: LineQuery, by_base: dict[str, list[Product]]) -> LineMatch | None:
    for position, (mpn, manufacturer) in enumerate(_mpns_of(query)):
        normalized, base = normalize_mpn(mpn), packaging_base(mpn)
        pool = by_base.get(base, [])
        if not pool:
            continue
        exact = [p for p in pool if p.mpn_normalized == normalized]
        tier, confidence = (exact, MPN_EXACT) if exact else (pool, MPN_PACKAGING)
        if position:  # an alternate the file lists: a little less sure than the primary part
            confidence -= 0.02
        similar = {p.pk: manufacturer_similarity(manufacturer, product_manufacturer(p)) for p in tier}
        if manufacturer:
            agreeing = [p for p in tier if (similar[p.pk] or 0) >= 0.8]
            neutral = [p for p in tier if similar[p.pk] is None]
            chosen = agreeing or neutral
        else:
            chosen = tier
        ranked = sorted(tier, key=lambda p: (-(similar[p.pk] or 0), p.pk))
        candidates = [candidate_data(p, confidence * (similar[p.pk] or 0.9)) for p in ranked[:CANDIDATES]]
        if len(chosen) == 1:
            if len(tier) > 1:
                confidence = min(confidence, MPN_MANUFACTURER_TIE)
            product = chosen[0]
            candidates = [candidate_data(product, confidence)] + [c for c in candidates if c["product"] != product.pk]
            return LineMatch("mapped", "mpn", product, confidence, candidates[:CANDIDATES])
        # Several products carry this MPN, or only another manufacturer's part does: a person decides.
        return LineMatch("ambiguous", "mpn", None, min(c["confidence"] for c in candidates), candidates)
    return None


# Text: nearest neighbours by word-similarity distance on the GiST trigram index of migration 0007 (GIN cannot
# order by distance; filtering with ``<%`` on GIN had to merge the long posting lists of tokens such as "0603").
_TEXT_SQL = """
    SELECT q.key, c.id FROM unnest(%s::int[], %s::text[]) AS q(key, words)
    CROSS JOIN LATERAL (
        SELECT p.id FROM store_product p WHERE p.active
        ORDER BY q.words <<-> upper(p.name || ' ' || p.description) LIMIT %s
    ) c
"""
# MPN: trigram similarity filtered on the GIN index of ``mpn_normalized`` (migration 0002).
_MPN_SQL = """
    SELECT q.key, c.id FROM unnest(%s::int[], %s::text[]) AS q(key, mpn)
    CROSS JOIN LATERAL (
        SELECT p.id FROM store_product p WHERE p.active AND p.mpn_normalized %% q.mpn
        ORDER BY similarity(p.mpn_normalized, q.mpn) DESC LIMIT %s
    ) c
"""


def _fuzzy_pool_postgresql(texts: dict[int, LineQuery]) -> dict[int, list[Product]]:
    """Trigram candidates for every line: one query for the texts and one for the MPNs, each distinct string
    searched once (a BOM repeats "10k 0603" often)."""
    # A nearest-neighbour search for a string near nothing (a random MPN) walks much of the index: MPNs are
    # searched by the MPN query only, the text query gets the words.
    words = sorted({q.words().upper() for q in texts.values() if q.words()})
    mpns = sorted({normalize_mpn(q.mpn) for q in texts.values() if q.mpn} - {""})
    found: dict[tuple[str, str], list[int]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.45")
        for kind, sql, values in (("text", _TEXT_SQL, words), ("mpn", _MPN_SQL, mpns)):
            if not values:
                continue
            cursor.execute(sql, [list(range(len(values))), values, FUZZY_POOL])
            for key, product_id in cursor.fetchall():
                found.setdefault((kind, values[key]), []).append(product_id)
    products = _products().in_bulk({pk for ids in found.values() for pk in ids})
    pool: dict[int, list[Product]] = {}
    for index, query in texts.items():
        ids = found.get(("text", query.words().upper()), []) + found.get(("mpn", normalize_mpn(query.mpn)), [])
        pool[index] = [products[pk] for pk in dict.fromkeys(ids) if pk in products]
    return pool


def _fuzzy_pool_fallback(texts: dict[int, LineQuery]) -> dict[int, list[Product]]:
    """Without pg_trgm (SQLite): products sharing a word with the line, at most SQLITE_SCAN_LIMIT per line."""
    pool: dict[int, list[Product]] = {}
    for index, query in texts.items():
        tokens = sorted({t for t in re.split(r"[^A-Za-z0-9.]+", query.text()) if len(t) >= 3}, key=len, reverse=True)
        condition = Q()
        for token in tokens[:6]:
            condition |= Q(name__icontains=token) | Q(description__icontains=token) | Q(mpn__icontains=token)
        if tokens:
            pool[index] = list(_products().filter(condition).order_by("id")[:SQLITE_SCAN_LIMIT])
    return pool


# Electrical values and package sizes ("1.2kohms", "4k7", "50v", "12pf", "0603"): the words that tell parts apart.
_VALUE = re.compile(r"^(?:\d+(?:\.\d+)?[a-zµω%]{0,5}|\d+[kmrnpu]\d+[a-zω]{0,4})$")
VALUE_PENALTY = 0.2


def _words(text: str) -> str:
    """Lowercase words with decimal points kept ("1.2KOHMS" stays one word, unlike rapidfuzz's default)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"(?<!\d)\.|\.(?!\d)|[^\w.µ%]+|_", " ", text).split())


def _value_words(text: str) -> set[str]:
    return {word for word in text.split() if any(c.isdigit() for c in word) and _VALUE.match(word)}


def _product_words(product: Product, cache: dict[int, tuple[str, set[str]]]) -> tuple[str, set[str]]:
    if product.pk not in cache:
        text = _words(f"{product.name} {product.description} {product.mpn} {product_manufacturer(product)}")
        cache[product.pk] = (text, set(text.split()))
    return cache[product.pk]


def _score(line: tuple[str, set[str], str], product: Product, cache: dict) -> float:
    wanted, values, mpn = line
    text, words = _product_words(product, cache)
    score = fuzz.token_set_ratio(wanted, text) / 100 * (1 - VALUE_PENALTY * min(len(values - words), 3))
    if mpn and product.mpn_normalized:
        score = max(score, fuzz.ratio(mpn, product.mpn_normalized) / 100)
    return score


def _line_words(query: LineQuery) -> tuple[str, set[str], str]:
    return _words(query.text()), _value_words(_words(query.words())), normalize_mpn(query.mpn)


def fuzzy_score(query: LineQuery, product: Product, *, cache: dict | None = None) -> float:
    """rapidfuzz token-set similarity of the line's text and the product's, less VALUE_PENALTY for each of the
    line's values (resistance, capacitance, voltage, package size) the product does not mention (at most 3); an
    MPN's own similarity when it is higher."""
    return _score(_line_words(query), product, {} if cache is None else cache)


def _match_fuzzy(query: LineQuery, pool: list[Product], threshold: float, *, cache: dict | None = None) -> LineMatch:
    cache = {} if cache is None else cache
    line = _line_words(query)
    scored = [(_score(line, product, cache), product) for product in pool]
    scored.sort(key=lambda item: (-item[0], item[1].pk))
    candidates = [candidate_data(p, s) for s, p in scored[:CANDIDATES] if s >= AMBIGUOUS_FLOOR]
    if not candidates:
        return LineMatch("unmatched")
    best = scored[0][0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    if not query.mpn and best >= threshold and best - second >= FUZZY_MARGIN:
        return LineMatch("mapped", "fuzzy", scored[0][1], best, candidates)
    return LineMatch("ambiguous", "fuzzy", None, best, candidates)


def map_lines(queries: list[LineQuery], *, threshold: float | None = None) -> list[LineMatch]:
    """One match per query, in order."""
    threshold = settings.STORE_BOM_MATCH_THRESHOLD if threshold is None else threshold
    results: list[LineMatch | None] = [None] * len(queries)
    skus, supplier_parts = _by_sku(queries), _by_supplier_part(queries)
    for index, query in enumerate(queries):
        number = query.supplier_part.strip()
        if not number:
            continue
        product = skus.get(number.upper())
        if product is not None:
            results[index] = LineMatch("mapped", "sku", product, 1.0, [candidate_data(product, 1.0)])
            continue
        products = supplier_parts.get(normalize_mpn(number), [])
        if len(products) == 1:
            results[index] = LineMatch("mapped", "supplier_part", products[0], 1.0, [candidate_data(products[0], 1.0)])
        elif products:
            results[index] = LineMatch(
                "ambiguous", "supplier_part", None, 0.9, [candidate_data(p, 0.9) for p in products[:CANDIDATES]]
            )
    pending = [q for i, q in enumerate(queries) if results[i] is None]
    by_base = _by_mpn(pending)
    for index, query in enumerate(queries):
        if results[index] is None:
            results[index] = _match_mpn(query, by_base)
    texts = {i: q for i, q in enumerate(queries) if results[i] is None and q.text()}
    if texts:
        fuzzy_pool = _fuzzy_pool_postgresql if connection.vendor == "postgresql" else _fuzzy_pool_fallback
        pool = fuzzy_pool(texts)
        cache: dict = {}  # products recur in the pools of similar lines: their words are worked out once
        for index, query in texts.items():
            results[index] = _match_fuzzy(query, pool.get(index, []), threshold, cache=cache)
    return [result or LineMatch("unmatched") for result in results]
