import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('winiadmin', '0007_importjob_attempt'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='edited_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='edited'),
        ),
        migrations.CreateModel(
            name='ImportEdit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('cell', 'Cell edited'), ('exclude', 'Row excluded'), ('replace', 'Replaced in column')], max_length=10, verbose_name='kind')),
                ('row', models.BigIntegerField(blank=True, null=True, verbose_name='row')),
                ('column', models.CharField(blank=True, max_length=500, verbose_name='column')),
                ('old', models.TextField(blank=True, null=True, verbose_name='old value')),
                ('new', models.TextField(blank=True, null=True, verbose_name='new value')),
                ('whole', models.BooleanField(default=True, verbose_name='whole value')),
                ('cells', models.BigIntegerField(default=0, verbose_name='cells changed')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='made')),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='edits', to='winiadmin.importjob', verbose_name='import job')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'import edit',
                'verbose_name_plural': 'import edits',
                'ordering': ['job', 'id'],
            },
        ),
    ]
