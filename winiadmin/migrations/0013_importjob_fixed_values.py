from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("winiadmin", "0012_value_mapping"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="fixed_values",
            field=models.JSONField(blank=True, default=dict, verbose_name="fixed values"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="user_scoped",
            field=models.BooleanField(default=False, verbose_name="started outside the admin"),
        ),
    ]
