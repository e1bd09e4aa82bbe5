from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("winiadmin", "0016_importjob_create_values"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="checked_inputs",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
