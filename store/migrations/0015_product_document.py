# The stored product document (store/product_documents.py): a PostgreSQL table, functions and triggers that the
# models do not declare. Nothing happens on other databases.

from django.db import migrations


def install(apps, schema_editor):
    from store.product_documents import install

    install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from store.product_documents import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('store', '0014_service_order_wire_statuses'),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
