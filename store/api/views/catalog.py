"""Catalog API: public, cached reads; store-staff writes. Each view parses, calls one service/selector, renders."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

from django.core.paginator import Paginator as DjangoPaginator
from django.http import HttpResponse, QueryDict
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.pagination import (
    CURSOR_PARAM,
    FIRST_CURSOR,
    StandardPagination,
    cursor_decode,
    cursor_encode,
    cursor_next_link,
)
from makrx.api.permissions import IsStoreStaff, IsStoreStaffOrReadOnly
from makrx.errors import NotFound, ValidationError
from store.api.serializers import catalog as s
from store.catalog_cache import CacheUnavailable, cached_bytes, cached_hit, canonical_params, catalog_cache_entry
from store.models import Brand, Category, Collection
from store.selectors import catalog as selectors
from store.selectors import product_json
from store.selectors.product_json import MAX_PAGE_DIGITS
from store.services import catalog as services
from store.services.stock import stock_set_on_hand

TAGS = ["store catalog"]
_renderer = JSONRenderer()


def cached_catalog_response(
    request, build: Callable[[dict], object], *, query: dict, paginated: bool = False, page_number: bool = True
):
    """Serve a catalog read from the cache or build, render and store it.

    The key is the path, the host and ``query`` (the validated parameters; with ``paginated`` also the page
    and the effective page size), never the raw query string: unknown parameters (``?utm=x``, ``?zzz=...``)
    share the entry of the request without them, so junk cannot create cache entries. The request the body
    is built from carries that canonical query too, so its page links never echo what a client made up.
    ``build(query)`` runs on a miss; an error it raises (e.g. a page past the end) is never stored.
    The request's identity is remembered with its entry, so ``CachedCatalogApi`` answers its next hit early.
    """
    identity = _identity(request._request)
    params = canonical_params(query)
    if paginated:
        params += _page_params(request, page_number=page_number)
    _use_query(request, params)

    def render() -> bytes:
        data = build(query)
        return data if isinstance(data, bytes) else _renderer.render(data)

    body, hit = cached_bytes(
        catalog_cache_entry(request.path, host=request.get_host(), params=params),
        render,
        identity=identity,
        use_cache=not getattr(request._request, "catalog_cache_unavailable", False),
    )
    return _catalog_response(body, hit=hit)


def _catalog_response(body: bytes, *, hit: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response["X-Cache"] = "hit" if hit else "miss"
    return response


def _identity(request) -> tuple[str, str, str, str]:
    """What a catalog read's answer depends on before its query is validated: the host, the path, the raw query
    string, and the ``Accept`` header (DRF's content negotiation may refuse it)."""
    meta = request.META
    return (request.get_host(), request.path, meta.get("QUERY_STRING", ""), meta.get("HTTP_ACCEPT", ""))


class CachedCatalogApi(APIView):
    """A public catalog read (anyone may GET it) served through ``cached_catalog_response``.

    A GET this process has answered before and whose body is cached is answered before DRF's request handling:
    the version read from Redis, the body from this process's copy, the headers DRF would add (``Allow``). That
    skips what cannot change the answer: validating the query again (its canonical key is remembered with the
    request's identity), content negotiation (the ``Accept`` header is part of the identity) and authentication
    (a public read; a request with an ``Authorization`` header goes the full way, so a bad token still answers
    401).
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET" and "HTTP_AUTHORIZATION" not in request.META:
            try:
                body = cached_hit(_identity(request))
            except CacheUnavailable:
                request.catalog_cache_unavailable = True  # the full way below serves from the database at once
                body = None
            if body is not None:
                self.args, self.kwargs, self.request = args, kwargs, request
                self.headers = self.default_response_headers
                return self.finalize_response(request, _catalog_response(body, hit=True), *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


_PAGINATION = StandardPagination()


def _page_params(request, *, page_number: bool = True) -> list[tuple[str, str]]:
    """The page (``01`` is ``1``; none for a keyset page) and the page size the paginator would use, each left
    out at its default."""
    params = []
    page = (request.query_params.get(_PAGINATION.page_query_param) if page_number else None) or "1"
    if page.isascii() and page.isdigit() and len(page) <= MAX_PAGE_DIGITS:
        page = str(int(page))
    if page != "1":
        params.append((_PAGINATION.page_query_param, page[: MAX_PAGE_DIGITS + 1]))
    size = _PAGINATION.get_page_size(request)
    if size != _PAGINATION.page_size:
        params.append((_PAGINATION.page_size_query_param, str(size)))
    return params


def _use_query(request, params: list[tuple[str, str]]) -> None:
    """Make the request's query the canonical one: what the paginator reads and builds its links from."""
    query = urlencode(params)
    django_request = request._request
    django_request.GET = QueryDict(query)
    django_request.META["QUERY_STRING"] = query


def _paginated(request, view, queryset, serializer_class, **context) -> dict:
    paginator = StandardPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request, **context}).data
    return paginator.get_paginated_response(data).data


# The product list's query, validated by one shared instance: a new serializer deep-copies its fields on every
# request, which cost a tenth of an uncached list page. ``run_validation`` (what ``is_valid`` runs) keeps no
# state on the instance and raises the same 400 errors.
_PRODUCT_LIST_QUERY = s.ProductListQuerySerializer()


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _product_or_404(lookup: str):
    product = selectors.product_get_for_update(lookup=lookup)
    if product is None:
        raise NotFound("No product with that slug or SKU.")
    return product


class ProductListApi(CachedCatalogApi):
    """GET: active products, filtered, searched, ordered, paginated. POST (store staff): create a product."""

    permission_classes = [IsStoreStaffOrReadOnly]
    pagination_class = StandardPagination

    @extend_schema(
        tags=TAGS, parameters=[s.ProductListQuerySerializer], responses=s.ProductSerializer(many=True), auth=[]
    )
    def get(self, request):
        def build(query: dict):
            filters = selectors.ProductFilters(**{name: value for name, value in query.items() if name != "cursor"})
            paginator = StandardPagination()
            if keyset:
                return _product_keyset_page(request, paginator, filters, query["cursor"])
            fast = _product_page_fast(request, paginator, filters)
            if fast is not None:
                return fast
            page = paginator.paginate_queryset(selectors.product_rows(filters=filters), request, view=self)
            rows = selectors.product_rows_complete(rows=list(page))
            return paginator.get_paginated_response([product_json.product_data(row) for row in rows]).data

        query = _PRODUCT_LIST_QUERY.run_validation(request.query_params)
        # ``?cursor=`` (even empty) walks the list by keyset instead of page numbers.
        keyset = CURSOR_PARAM in request.query_params
        if keyset:
            query["cursor"] = query.get("cursor") or FIRST_CURSOR
        return cached_catalog_response(request, build, query=query, paginated=True, page_number=not keyset)

    @extend_schema(tags=TAGS, request=s.ProductWriteSerializer, responses={201: s.ProductSerializer})
    def post(self, request):
        serializer = s.ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(actor=request.user, **serializer.validated_data)
        product = selectors.product_get_for_update(lookup=product.slug)
        return Response(s.ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class _Counted:
    """A sized stand-in for Django's paginator: only the count matters for the page links."""

    def __init__(self, count: int):
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, item):
        return []


def _product_keyset_page(request, paginator: StandardPagination, filters, token: str) -> bytes:
    """A keyset page: the rows after the cursor's, in the envelope, ``next`` carrying the next cursor. The SQL
    page when it handles the filters, else the ORM (``selectors.product_rows_after``)."""
    ordering = product_json.list_ordering(filters)
    if ordering is None:
        raise ValidationError(
            "A cursor needs a column ordering: add `ordering` (search results and collections are ranked or curated).",
            errors={CURSOR_PARAM: ["Give an ordering to walk this list by cursor."]},
            code="cursor_unsupported",
        )
    after = cursor_decode(token, ordering=ordering, size=len(selectors.ORDERINGS[ordering]))
    if after is not None:
        values = selectors.keyset_values(ordering, after)
        if values is None:
            raise ValidationError(
                "The cursor is not valid for this list.",
                errors={CURSOR_PARAM: ["Invalid cursor."]},
                code="invalid_cursor",
            )
        after = selectors.keyset_text(values)
    page_size = paginator.get_page_size(request)
    fast = product_json.product_page_json(filters=filters, page=1, page_size=page_size, after=after, keyset=True)
    if fast is not None:
        count, results, next_key = fast.count, fast.results_json, fast.next_key
    else:
        source, rows, next_key = selectors.product_rows_after(
            filters=filters, ordering=ordering, after=after, limit=page_size
        )
        rows = selectors.product_rows_complete(rows=rows)
        count = source.count()
        results = _renderer.render([product_json.product_data(row) for row in rows]).decode()
    token = cursor_encode(ordering=ordering, key=next_key) if next_key is not None else None
    next_link = json.dumps(cursor_next_link(request, token), ensure_ascii=False)
    return f'{{"count":{count},"next":{next_link},"previous":null,"results":{results}}}'.encode()


def _product_page_fast(request, paginator: StandardPagination, filters) -> bytes | None:
    """The list page from ``product_json.product_page_json`` (JSON built by PostgreSQL) in the paginator's
    envelope, with DRF's own page links; ``None`` when the fast path does not handle the request."""
    page_size = paginator.get_page_size(request)
    number = request.query_params.get(paginator.page_query_param) or 1
    fast = product_json.product_page_json(filters=filters, page=number, page_size=page_size)
    if fast is None:
        return None
    paginator.request = request
    paginator.page = DjangoPaginator(_Counted(fast.count), page_size).page(fast.page_number)
    next_link = json.dumps(paginator.get_next_link(), ensure_ascii=False)
    previous_link = json.dumps(paginator.get_previous_link(), ensure_ascii=False)
    envelope = f'{{"count":{fast.count},"next":{next_link},"previous":{previous_link},"results":{fast.results_json}}}'
    return envelope.encode()


class ProductDetailApi(CachedCatalogApi):
    """GET a product by slug or SKU; PATCH (store staff) changes it."""

    permission_classes = [IsStoreStaffOrReadOnly]

    @extend_schema(tags=TAGS, responses=s.ProductSerializer, auth=[])
    def get(self, request, lookup: str):
        def build(query: dict):
            fast = product_json.product_detail_json(lookup=lookup)
            if fast is not None:
                if not fast:
                    raise NotFound("No product with that slug or SKU.")
                return fast.encode()
            product = selectors.product_get(lookup=lookup)
            if product is None:
                raise NotFound("No product with that slug or SKU.")
            return s.ProductSerializer(product).data

        return cached_catalog_response(request, build, query={})

    @extend_schema(tags=TAGS, request=s.ProductWriteSerializer, responses=s.ProductSerializer)
    def patch(self, request, lookup: str):
        product = _product_or_404(lookup)
        serializer = s.ProductWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product = services.product_update(actor=request.user, product=product, **serializer.validated_data)
        return Response(s.ProductSerializer(selectors.product_get_for_update(lookup=product.slug)).data)


class ProductStockApi(APIView):
    """Store staff set the counted on-hand units (409 ``below_reserved`` under the reserved units)."""

    permission_classes = [IsStoreStaff]

    @extend_schema(tags=TAGS, request=s.StockInputSerializer, responses=s.StockOutputSerializer)
    def post(self, request, lookup: str):
        product = _product_or_404(lookup)
        serializer = s.StockInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        level = stock_set_on_hand(product=product, actor=request.user, **serializer.validated_data)
        return Response(s.StockOutputSerializer(level).data)


class CategoryTreeApi(CachedCatalogApi):
    """GET: the active category tree (nested), optionally with product counts including descendants.
    POST (store staff): add a category (``parent`` null for a root)."""

    permission_classes = [IsStoreStaffOrReadOnly]

    @extend_schema(
        tags=TAGS, parameters=[s.CategoryTreeQuerySerializer], responses=s.CategoryNodeSerializer(many=True), auth=[]
    )
    def get(self, request):
        def build(query: dict) -> bytes:
            return selectors.category_tree_rendered(
                "v1",
                include_product_counts=query["include_product_counts"],
                render=lambda nodes: _renderer.render([_category_node(node) for node in nodes]),
            )

        return cached_catalog_response(request, build, query=_query(s.CategoryTreeQuerySerializer, request))

    @extend_schema(tags=TAGS, request=s.CategoryWriteSerializer, responses={201: s.CategorySerializer})
    def post(self, request):
        serializer = s.CategoryWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(actor=request.user, **serializer.validated_data)
        return Response(s.CategorySerializer(category).data, status=status.HTTP_201_CREATED)


def _category_node(node: selectors.CategoryNode) -> dict:
    data = {
        "id": node.id,
        "name": node.name,
        "slug": node.slug,
        "description": node.description,
        "depth": node.depth,
        "parent": node.parent_id,
    }
    if node.product_count is not None:
        data["product_count"] = node.product_count
    data["children"] = [_category_node(child) for child in node.children]
    return data


class CategoryDetailApi(APIView):
    """PATCH (store staff): rename, describe, (de)activate or move a category (``parent``: new parent or null)."""

    permission_classes = [IsStoreStaff]

    @extend_schema(tags=TAGS, request=s.CategoryWriteSerializer, responses=s.CategorySerializer)
    def patch(self, request, category_id: int):
        category = Category.objects.filter(pk=category_id).first()
        if category is None:
            raise NotFound("No such category.")
        serializer = s.CategoryWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        move = "parent" in fields
        parent = fields.pop("parent", None)
        category = services.category_update(actor=request.user, category=category, parent=parent, move=move, **fields)
        return Response(s.CategorySerializer(category).data)


class BrandListApi(CachedCatalogApi):
    """GET: active brands with product counts (``include_products=true`` adds their first products).
    POST (store staff): add a brand."""

    permission_classes = [IsStoreStaffOrReadOnly]
    pagination_class = StandardPagination

    @extend_schema(tags=TAGS, parameters=[s.BrandListQuerySerializer], responses=s.BrandSerializer(many=True), auth=[])
    def get(self, request):
        def build(query: dict):
            queryset = selectors.brand_list(
                include_products=query["include_products"], products_limit=query["products_limit"]
            )
            return _paginated(request, self, queryset, s.BrandSerializer)

        query = _query(s.BrandListQuerySerializer, request)
        return cached_catalog_response(request, build, query=query, paginated=True)

    @extend_schema(tags=TAGS, request=s.BrandWriteSerializer, responses={201: s.BrandSerializer})
    def post(self, request):
        serializer = s.BrandWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        brand = services.brand_save(actor=request.user, **serializer.validated_data)
        return Response(s.BrandSerializer(brand).data, status=status.HTTP_201_CREATED)


class BrandDetailApi(APIView):
    permission_classes = [IsStoreStaff]

    @extend_schema(tags=TAGS, request=s.BrandWriteSerializer, responses=s.BrandSerializer)
    def patch(self, request, slug: str):
        brand = Brand.objects.filter(slug=slug).first()
        if brand is None:
            raise NotFound("No such brand.")
        serializer = s.BrandWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(
            s.BrandSerializer(services.brand_save(actor=request.user, brand=brand, **serializer.validated_data)).data
        )


class CollectionListApi(CachedCatalogApi):
    """GET: active collections in curated order with product counts (their products: ``/products/?collection=``).
    POST (store staff): add a collection with its ordered product ids."""

    permission_classes = [IsStoreStaffOrReadOnly]
    pagination_class = StandardPagination

    @extend_schema(tags=TAGS, responses=s.CollectionSerializer(many=True), auth=[])
    def get(self, request):
        return cached_catalog_response(
            request,
            lambda query: _paginated(request, self, selectors.collection_list(), s.CollectionSerializer),
            query={},
            paginated=True,
        )

    @extend_schema(tags=TAGS, request=s.CollectionWriteSerializer, responses={201: s.CollectionSerializer})
    def post(self, request):
        serializer = s.CollectionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        collection = services.collection_save(actor=request.user, product_ids=fields.pop("products", None), **fields)
        # Not through collection_list(): that lists active collections only, and an inactive one may be created.
        collection = selectors.collection_get(pk=collection.pk)
        return Response(s.CollectionSerializer(collection).data, status=status.HTTP_201_CREATED)


class CollectionDetailApi(APIView):
    permission_classes = [IsStoreStaff]

    @extend_schema(tags=TAGS, request=s.CollectionWriteSerializer, responses=s.CollectionSerializer)
    def patch(self, request, slug: str):
        collection = Collection.objects.filter(slug=slug).first()
        if collection is None:
            raise NotFound("No such collection.")
        serializer = s.CollectionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        collection = services.collection_save(
            actor=request.user, collection=collection, product_ids=fields.pop("products", None), **fields
        )
        return Response(s.CollectionSerializer(selectors.collection_get(pk=collection.pk)).data)


class TagListApi(CachedCatalogApi):
    """GET: every tag with its active product count. POST (store staff): add a tag."""

    permission_classes = [IsStoreStaffOrReadOnly]
    pagination_class = StandardPagination

    @extend_schema(tags=TAGS, responses=s.TagCountSerializer(many=True), auth=[])
    def get(self, request):
        return cached_catalog_response(
            request,
            lambda query: _paginated(request, self, selectors.tag_list(), s.TagCountSerializer),
            query={},
            paginated=True,
        )

    @extend_schema(tags=TAGS, request=s.TagWriteSerializer, responses={201: s.TagSerializer})
    def post(self, request):
        serializer = s.TagWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(
            s.TagSerializer(services.tag_save(actor=request.user, **serializer.validated_data)).data, status=201
        )


class TagPopularApi(CachedCatalogApi):
    """GET: the most used tags (by active products), ``?limit=`` (1-100, default 10)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS, parameters=[s.TagPopularQuerySerializer], responses=s.TagCountSerializer(many=True), auth=[]
    )
    def get(self, request):
        def build(query: dict):
            return s.TagCountSerializer(selectors.tag_popular_list(limit=query["limit"]), many=True).data

        return cached_catalog_response(request, build, query=_query(s.TagPopularQuerySerializer, request))
