"""Data: rejected webhook deliveries recorded before the digest no longer keep the body they were sent."""

from django.db import migrations


def drop_rejected_bodies(apps, schema_editor):
    WebhookEvent = apps.get_model("store", "WebhookEvent")
    WebhookEvent.objects.filter(signature_valid=False).exclude(payload={}).update(payload={})


class Migration(migrations.Migration):
    dependencies = [("store", "0004_webhook_rejected_digest")]

    operations = [migrations.RunPython(drop_rejected_bodies, migrations.RunPython.noop, elidable=True)]
