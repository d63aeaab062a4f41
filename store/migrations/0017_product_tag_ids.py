"""Each product's tag ids on its row, and the name ordering's index carrying them (PostgreSQL; issue #17).

Why: a tag filter probed the product-tag table for every product a list's walk reached; with the ids on the row and
in the name index (``(name, id) INCLUDE (price, brand_id, category_id, tag_ids) WHERE active``, replacing
``store_product_live_name_idx``), the walk tests them on the entry it reads. ``?tag=...&min_price=10&max_price=500``
on 100,000 products walks ~5,700 name-index entries, 570 of them in the price range, each of those probed: the
statement went from 2.7-3.8 ms (1,718 of its 2,417 buffers were the probes) to 1.7 ms (EXPLAIN ANALYZE). The column and its triggers are
``store.product_tag_ids``; they are not declared on the model (an array column does not exist on SQLite), like the
search indexes of migration 0002.

Cost: adding or removing a product's tags rewrites the product's row (and its index entries) in the same transaction;
the name index grows by the ids (about 30 bytes an entry). Off PostgreSQL only the old name index is dropped.
After running this on a large catalog, ``VACUUM ANALYZE store_product`` (every row was rewritten once).
"""

from django.db import migrations


def install(apps, schema_editor):
    from store.product_tag_ids import install

    install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from store.product_tag_ids import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('store', '0016_product_live_category_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='product',
            name='store_product_live_name_idx',
        ),
        migrations.RunPython(install, uninstall),
    ]
