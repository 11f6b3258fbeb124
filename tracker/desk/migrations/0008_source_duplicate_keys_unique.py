from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("desk", "0007_fill_fingerprints_and_roles")]

    operations = [
        migrations.AlterField(
            model_name="source",
            name="canonical_url",
            field=models.CharField(blank=True, editable=False, max_length=1000, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="source",
            name="text_fingerprint",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="canonical_url",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=1000, null=True),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="text_fingerprint",
            field=models.CharField(db_index=True, editable=False, max_length=64),
        ),
    ]
