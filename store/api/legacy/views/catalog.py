"""The earlier store front's catalog calls (§5.3 #1-#5, and the §5 aliases): v1 selectors, the earlier shapes.

GET reads go through the v1 catalog cache (``cached_catalog_response``: keyed by path and validated query,
made stale by every catalog or stock change), so they cost what the v1 reads cost.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.errors import NotFound
from store.api.legacy.serializers import catalog as s
from store.api.legacy.session import LEGACY_TAGS
from store.api.schema import error_doc
from store.api.views.catalog import CachedCatalogApi, cached_catalog_response
from store.selectors import catalog as selectors
from store.selectors.product_json import product_data, product_row

BAD_QUERY = error_doc("Invalid query parameters (errors name each).")
_renderer = JSONRenderer()


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _page_of_products(filters: selectors.ProductFilters, *, offset: int, limit: int) -> dict:
    """The v1 product list (``product_rows`` + ``product_rows_complete``: v1's ORM path) from ``offset``."""
    source = selectors.product_rows(filters=filters)
    total = source.count()
    rows = selectors.product_rows_complete(rows=list(source[offset : offset + limit])) if offset < total else []
    return s.product_page(products=[product_data(row) for row in rows], total=total, offset=offset, per_page=limit)


class LegacyProductListApi(CachedCatalogApi):
    """§5.3 #1: active products, ``skip``/``limit``, ``category_id`` (whole subtree), ``search``."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_products_list",
        parameters=[s.LegacyProductListQuerySerializer],
        responses={200: s.LegacyProductPageSerializer, 400: BAD_QUERY},
        auth=[],
    )
    def get(self, request):
        def build(query: dict) -> dict:
            filters = selectors.ProductFilters(
                category=str(query["category_id"]) if query.get("category_id") else None,
                brand=query.get("brand") or None,
                search=(query.get("search") or "").strip() or None,
                in_stock=query.get("in_stock"),
            )
            return _page_of_products(filters, offset=query["skip"], limit=query["limit"])

        return cached_catalog_response(request, build, query=_query(s.LegacyProductListQuerySerializer, request))


def _product_answer(request, find) -> Response:
    def build(query: dict) -> dict:
        product = find()
        if product is None:
            raise NotFound("No such product.", code="product_not_found")
        return s.legacy_product(product_data(product_row(product)))

    return cached_catalog_response(request, build, query={})


class LegacyProductBySlugApi(CachedCatalogApi):
    """§5.3 #2: an active product by slug (or SKU, as v1 ``/products/{lookup}/``)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS, operation_id="legacy_product_by_slug", responses=s.LegacyProductSerializer, auth=[]
    )
    def get(self, request, product_slug: str):
        return _product_answer(request, lambda: selectors.product_get(lookup=product_slug))


class LegacyProductByIdApi(CachedCatalogApi):
    """§5.3 #2: an active product by numeric id."""

    permission_classes = [AllowAny]

    @extend_schema(tags=LEGACY_TAGS, operation_id="legacy_product_by_id", responses=s.LegacyProductSerializer, auth=[])
    def get(self, request, product_id: int):
        return _product_answer(request, lambda: selectors.product_get_by_id(product_id=product_id))


class LegacyCategoriesApi(CachedCatalogApi):
    """§5.3 #3 and the ``categories/tree`` alias: the active tree with product counts (subtrees included)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_categories",
        parameters=[s.LegacyCategoryTreeQuerySerializer],
        responses={200: s.LegacyCategoriesSerializer, 400: BAD_QUERY},
        auth=[],
    )
    def get(self, request):
        def build(query: dict) -> bytes:
            return selectors.category_tree_rendered(
                "legacy",
                include_product_counts=True,
                render=lambda nodes: _renderer.render({"categories": [s.legacy_category(node) for node in nodes]}),
            )

        _query(s.LegacyCategoryTreeQuerySerializer, request)  # validated, then the same answer either way
        return cached_catalog_response(request, build, query={})


class LegacyCategoryTreeApi(LegacyCategoriesApi):
    """§5 alias ``categories/tree``: the same tree as ``/api/categories``."""

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_catalog_categories_tree",
        parameters=[s.LegacyCategoryTreeQuerySerializer],
        responses={200: s.LegacyCategoriesSerializer, 400: BAD_QUERY},
        auth=[],
    )
    def get(self, request):
        return super().get(request)


class LegacyBrandsApi(CachedCatalogApi):
    """§5 alias: active brands with counts, ``include_products=true`` adds their first products."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_catalog_brands",
        parameters=[s.LegacyBrandListQuerySerializer],
        responses={200: s.LegacyBrandsSerializer, 400: BAD_QUERY},
        auth=[],
    )
    def get(self, request):
        def build(query: dict) -> dict:
            brands = selectors.brand_list(
                include_products=query["include_products"], products_limit=query["products_limit"]
            )
            return {
                "brands": [
                    s.legacy_brand(
                        brand,
                        products=[product_data(product_row(p)) for p in brand.listed_products]
                        if query["include_products"]
                        else None,
                    )
                    for brand in brands
                ]
            }

        return cached_catalog_response(request, build, query=_query(s.LegacyBrandListQuerySerializer, request))


class LegacyCollectionsApi(CachedCatalogApi):
    """§5 alias: active collections in curated order with product counts."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_catalog_collections",
        responses=s.LegacyCollectionsSerializer,
        auth=[],
    )
    def get(self, request):
        def build(query: dict) -> dict:
            return {"collections": s.LegacyCollectionSerializer(selectors.collection_list(), many=True).data}

        return cached_catalog_response(request, build, query={})


class LegacyTagsPopularApi(CachedCatalogApi):
    """§5 alias: the names of the most used tags, ``?limit=`` (1-100, default 10)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_catalog_tags_popular",
        parameters=[s.LegacyTagPopularQuerySerializer],
        responses={200: s.LegacyTagsSerializer, 400: BAD_QUERY},
        auth=[],
    )
    def get(self, request):
        def build(query: dict) -> dict:
            return {"tags": [tag.name for tag in selectors.tag_popular_list(limit=query["limit"])]}

        return cached_catalog_response(request, build, query=_query(s.LegacyTagPopularQuerySerializer, request))


class LegacyAdvancedSearchApi(APIView):
    """§5.3 #5: ``{query, filters, sort, page, per_page}`` over the v1 product list (search, filters, ordering)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_catalog_search_advanced",
        request=s.LegacySearchInputSerializer,
        responses=s.LegacySearchOutputSerializer,
        auth=[],
    )
    def post(self, request):
        serializer = s.LegacySearchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        wanted = data["filters"] or {}
        filters = selectors.ProductFilters(
            category=str(wanted["category_id"]) if wanted.get("category_id") else None,
            brand=wanted.get("brand") or None,
            tag=wanted.get("tag") or None,
            min_price=wanted.get("min_price"),
            max_price=wanted.get("max_price"),
            in_stock=wanted.get("in_stock"),
            search=(data["query"] or "").strip() or None,
            ordering=s.SORTS.get(data["sort"] or "relevance"),
        )
        per_page = data["per_page"]
        return Response(_page_of_products(filters, offset=(data["page"] - 1) * per_page, limit=per_page))
