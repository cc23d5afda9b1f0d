"""Criteria sets hold the precision and rounding of block statistics (mean, median).

The defaults, four decimals cut (truncated), are what every page printed at most before;
Vĩnh Phúc's 2020 department mean is 49.8631. Sets whose decision prints the mean at
another precision are edited in the admin or the criteria-set editor.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0005_agency_alias'),
        ('rankings', '0011_criteria_set_english_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='criteriaset',
            name='statistics_precision',
            field=models.PositiveSmallIntegerField(default=4, verbose_name='số chữ số thập phân của trung bình, trung vị'),
        ),
        migrations.AddField(
            model_name='criteriaset',
            name='statistics_rounding',
            field=models.CharField(choices=[('half_up', 'Làm tròn (nửa lên)'), ('truncate', 'Cắt bớt')], default='truncate', max_length=10, verbose_name='quy tắc làm tròn trung bình, trung vị'),
        ),
        migrations.AddConstraint(
            model_name='criteriaset',
            constraint=models.CheckConstraint(condition=models.Q(('statistics_precision__lte', 4)), name='criteriaset_statistics_le_4'),
        ),
    ]
