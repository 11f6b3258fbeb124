"""Fill the duplicate-detection keys of existing sources and the contributors of
existing claims, and give the roles the new permissions (retracting is the editors')."""

import hashlib

from django.db import migrations


def fill(apps, schema_editor):
    from tracker.desk.canonical import canonical_url

    Source = apps.get_model("desk", "Source")
    Claim = apps.get_model("desk", "Claim")
    Evidence = apps.get_model("desk", "Evidence")
    for source in Source.objects.all().only("pk", "url", "text"):
        fingerprint = hashlib.sha256(" ".join(source.text.split()).encode("utf-8")).hexdigest()
        Source.objects.filter(pk=source.pk).update(
            text_fingerprint=fingerprint, canonical_url=canonical_url(source.url) if source.url else None
        )
    Contributors = Claim.contributors.through
    rows = {(c.pk, c.drafted_by_id) for c in Claim.objects.exclude(drafted_by=None).only("pk", "drafted_by")}
    rows |= set(Evidence.objects.exclude(created_by=None).values_list("claim_id", "created_by_id"))
    Contributors.objects.bulk_create([Contributors(claim_id=c, user_id=u) for c, u in rows], ignore_conflicts=True)


def roles(apps, schema_editor):
    from tracker.desk.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("desk", "0006_source_fingerprint_contributors")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
