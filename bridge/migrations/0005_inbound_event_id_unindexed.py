"""The inbound log's event id loses its two indexes (btree and varchar_pattern_ops from db_index=True).

Nothing used them: a stored status is found by its unique ``dedupe_key`` (``event:<id>``), and the admin's
search (exact event id among icontains over path, body and detail) scans either way. Each was one more random
btree write per stored delivery, on the intake that the bridge benchmark measures.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bridge', '0004_inbound_endpoint_job_cancel'),
    ]

    operations = [
        migrations.AlterField(
            model_name='inbounddelivery',
            name='event_id',
            field=models.CharField(blank=True, max_length=100),
        ),
    ]
