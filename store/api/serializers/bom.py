"""BOM import request/response shapes (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers

from makrx.api.fields import DateTimeField
from store.models import BomLine

STATUS_HELP = "mapped, ambiguous (candidates, none sure), unmatched, out_of_stock (mapped, not enough stock)."


class BomImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV/text (any delimiter) or XLSX; at most STORE_BOM_MAX_FILE_MB.")
    board_quantity = serializers.IntegerField(min_value=1, max_value=10_000, default=1)


class BomLineMapInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class BomManualMappingInputSerializer(BomLineMapInputSerializer):
    """The alias ``POST /api/bom-import/manual-mapping``: the import and line go in the body."""

    import_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    line = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class BomCandidateSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    mpn = serializers.CharField(allow_blank=True)
    manufacturer = serializers.CharField(allow_blank=True)
    stock_available = serializers.IntegerField()
    confidence = serializers.FloatField(min_value=0, max_value=1)


class BomProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    slug = serializers.CharField()
    name = serializers.CharField()
    mpn = serializers.CharField(allow_blank=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()


class BomLineSerializer(serializers.ModelSerializer):
    designators = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=BomLine.Status.choices, help_text=STATUS_HELP)
    product = BomProductSerializer(allow_null=True)
    candidates = BomCandidateSerializer(many=True)
    alternates = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))

    class Meta:
        model = BomLine
        fields = [
            "line", "source_row", "designators", "quantity", "mpn", "manufacturer", "supplier_part", "value",
            "footprint", "description", "alternates", "status", "method", "product", "confidence", "candidates",
        ]  # fmt: skip


class BomSummarySerializer(serializers.Serializer):
    lines = serializers.IntegerField()
    mapped = serializers.IntegerField()
    ambiguous = serializers.IntegerField()
    unmatched = serializers.IntegerField()
    out_of_stock = serializers.IntegerField()
    board_quantity = serializers.IntegerField()
    parts_per_board = serializers.IntegerField()
    problems = serializers.IntegerField()


class BomProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()


class BomImportListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    file_format = serializers.CharField()
    board_quantity = serializers.IntegerField()
    summary = BomSummarySerializer()
    created_at = DateTimeField()
    added_to_cart_at = DateTimeField(allow_null=True)


class BomImportSerializer(BomImportListSerializer):
    file_size = serializers.IntegerField()
    header_row = serializers.IntegerField(allow_null=True)
    delimiter = serializers.CharField(allow_blank=True)
    columns = serializers.DictField(child=serializers.CharField(), help_text="Field → the file's column header.")
    problems = BomProblemSerializer(many=True, help_text="Rows skipped, with the reason (never abort the import).")
    lines = BomLineSerializer(many=True)


class BomCartEntrySerializer(serializers.Serializer):
    line = serializers.IntegerField()
    product = serializers.IntegerField()
    sku = serializers.CharField()
    wanted = serializers.IntegerField()
    quantity = serializers.IntegerField(required=False)
    missing = serializers.IntegerField(required=False)
    reason = serializers.CharField(required=False)


class BomSkippedSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    status = serializers.CharField()
    mpn = serializers.CharField(allow_blank=True)


class BomAddToCartSerializer(serializers.Serializer):
    import_id = serializers.IntegerField()
    cart = serializers.IntegerField(help_text="The cart the parts went to (the caller's).")
    cart_token = serializers.CharField(allow_null=True, help_text="Anonymous carts: send it back as X-Cart-Token.")
    added = BomCartEntrySerializer(many=True)
    short = BomCartEntrySerializer(many=True, help_text="Lines that got fewer than wanted, and why.")
    skipped = BomSkippedSerializer(many=True, help_text="Ambiguous or unmatched lines: map them first.")
