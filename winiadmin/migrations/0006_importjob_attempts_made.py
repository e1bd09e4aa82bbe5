from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('winiadmin', '0005_importjob_create_missing'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='attempts_made',
            field=models.PositiveIntegerField(default=0, verbose_name='attempts made'),
        ),
    ]
