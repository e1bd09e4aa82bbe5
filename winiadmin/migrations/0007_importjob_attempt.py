from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('winiadmin', '0006_importjob_attempts_made'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='attempt',
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name='attempt'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='db_pid',
            field=models.IntegerField(blank=True, editable=False, null=True, verbose_name='database backend pid'),
        ),
    ]
