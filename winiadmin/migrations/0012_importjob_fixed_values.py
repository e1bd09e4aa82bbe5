from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("winiadmin", "0011_webhookdelivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="fixed_values",
            field=models.JSONField(blank=True, default=dict, verbose_name="fixed values"),
        ),
    ]
