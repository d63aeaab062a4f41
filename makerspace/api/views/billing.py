"""The transactions ledger: members their own records, staff their makerspaces'."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema

from makerspace.api.filters import BillableRecordFilter
from makerspace.api.serializers import billing as s
from makerspace.api.views.base import MakerspaceApi
from makerspace.selectors import billing as billing_selectors

TAGS = ["makerspace: invoices"]


class TransactionListApi(MakerspaceApi):
    serializer_class = s.BillableRecordOutputSerializer
    filterset_class = BillableRecordFilter
    ordering_fields = ["occurred_at", "amount"]

    def get_queryset(self):
        return billing_selectors.billable_record_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.BillableRecordOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.BillableRecordOutputSerializer)
