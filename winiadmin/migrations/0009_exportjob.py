import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('winiadmin', '0008_importedit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ExportJob',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('model', models.CharField(max_length=200, verbose_name='model')),
                ('importer', models.CharField(max_length=200, verbose_name='importer')),
                ('format', models.CharField(max_length=10, verbose_name='format')),
                ('columns', models.JSONField(default=list, verbose_name='columns')),
                ('query', models.BinaryField(verbose_name='query')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('cancelled', 'Cancelled'), ('expired', 'Expired')], default='queued', max_length=20, verbose_name='status')),
                ('rows_done', models.BigIntegerField(default=0, verbose_name='rows done')),
                ('rows_total', models.BigIntegerField(blank=True, null=True, verbose_name='rows')),
                ('cancel_requested', models.BooleanField(default=False, verbose_name='cancel requested')),
                ('task_id', models.CharField(blank=True, max_length=64, verbose_name='task id')),
                ('file', models.CharField(blank=True, max_length=500, verbose_name='file')),
                ('file_name', models.CharField(blank=True, max_length=255, verbose_name='file name')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='link expires')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='winiadmin_exports', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'export job',
                'verbose_name_plural': 'export jobs',
                'ordering': ['-created_at'],
            },
        ),
    ]
