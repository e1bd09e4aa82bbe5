from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("winiadmin", "0015_conventions"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="create_values",
            field=models.JSONField(blank=True, default=dict, verbose_name="values to create"),
        ),
    ]
