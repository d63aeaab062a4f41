"""List filters of the store API (django-filter), like the makerspace's.

The product list is the one exception: it validates its query with one shared serializer instance
(``ProductListQuerySerializer``), because it is the hottest uncached read and a FilterSet deep-copies its
filters on every request (what a per-request serializer cost there, measured: docs/store.md); its validated
values also build the cache key and the SQL fast path, which a FilterSet's queryset could not serve.
"""

from __future__ import annotations

from django.db.models import Q
from django_filters import rest_framework as filters

from makrx.api import fields
from store.models import Order


class OrderFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Order.Status.choices)
    created_from = fields.DateFilter(
        field_name="created_at", lookup_expr="date__gte", help_text="YYYY-MM-DD, inclusive."
    )
    created_to = fields.DateFilter(field_name="created_at", lookup_expr="date__lte", help_text="YYYY-MM-DD, inclusive.")
    search = filters.CharFilter(method="filter_search", max_length=64, help_text="Part of the order number or email.")

    class Meta:
        model = Order
        fields = ["status", "created_from", "created_to", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(email__icontains=value)) if value else queryset
