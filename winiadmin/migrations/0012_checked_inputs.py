from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("winiadmin", "0011_webhookdelivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="checked_inputs",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
