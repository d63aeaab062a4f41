"""A listing of each tag's products replaces the tag ids on the product row (PostgreSQL; issue #17).

Migration 0017 put each product's tag ids on its row and in the name index, so a tag's list tested them on every
name-index entry it walked; a tag holds a few percent of the catalog, so that walk still read thousands of entries
for a page. ``store.product_tag_listing`` keeps each tag's products in their own index entries (one index per
ordering, the tag in front), so a tag's page reads its tag's entries only. This migration drops 0017's column,
triggers and index, puts back the plain name index the model declares, and creates the listing (every tagged
product listed). Off PostgreSQL only the name index changes.

After running this on a large catalog, ``VACUUM ANALYZE store_product`` (dropping the column leaves the rows as
they were until they are next written; the analyze gives the planner the listing's statistics).
"""

import importlib

from django.db import migrations, models

_0017 = importlib.import_module("store.migrations.0017_product_tag_ids")


def drop_tag_ids(apps, schema_editor):
    _0017.uninstall(schema_editor.connection)


def restore_tag_ids(apps, schema_editor):
    _0017.install(schema_editor.connection)


def install_listing(apps, schema_editor):
    from store.product_tag_listing import install

    install(schema_editor.connection)


def uninstall_listing(apps, schema_editor):
    from store.product_tag_listing import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('store', '0017_product_tag_ids'),
    ]

    operations = [
        migrations.RunPython(drop_tag_ids, restore_tag_ids),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(condition=models.Q(('active', True)), fields=['name', 'id'], include=('price', 'brand', 'category'), name='store_product_live_name_idx'),
        ),
        migrations.RunPython(install_listing, uninstall_listing),
    ]
