"""Page-number pagination: ?page=&page_size= (max 100) → {count, next, previous, results}."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class LogCursorPagination(CursorPagination):
    """For append-only logs (ledgers, deliveries): stable under inserts."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-created_at"
