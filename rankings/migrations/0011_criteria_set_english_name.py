"""Criteria sets get an English name beside the Vietnamese one, for English mode.

Sets the system named before this field existed get theirs here: a year's copy opened
from the staff pages or the demo ("Bộ tiêu chí khối … tỉnh … năm …"), with any
" (bản sao)" of the set-up page's copies. Names someone typed keep no English name.
"""

import re

from django.db import migrations, models

YEAR_SET = re.compile(r"^Bộ tiêu chí (?P<block>.+) tỉnh (?P<province>.+) năm (?P<year>\d{4})$")
COPY = " (bản sao)"


def english_name(name: str, block, province) -> str:
    copies = 0
    while name.endswith(COPY):
        name, copies = name[: -len(COPY)], copies + 1
    found = YEAR_SET.match(name)
    if found is None or province is None:
        return ""
    if found["block"] != block.name[:1].lower() + block.name[1:]:
        return ""
    if found["province"] != province.name or not block.name_en:
        return ""
    english = f"{block.name_en} criteria set, {province.name} province, {found['year']}"
    return english + " (copy)" * copies


def fill(apps, schema_editor):
    CriteriaSet = apps.get_model("rankings", "CriteriaSet")
    for criteria_set in CriteriaSet.objects.select_related("block", "province"):
        english = english_name(criteria_set.name, criteria_set.block, criteria_set.province)
        if english:  # `update`: a published set is read-only to the model's own save()
            CriteriaSet.objects.filter(pk=criteria_set.pk).update(name_en=english)


class Migration(migrations.Migration):
    dependencies = [
        ("rankings", "0010_score_answer_database_default"),
    ]

    operations = [
        migrations.AddField(
            model_name="criteriaset",
            name="name_en",
            field=models.CharField(blank=True, max_length=250, verbose_name="tên tiếng Anh"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
