"""Extra state for the role fuzzing server, run by `manage.py shell` after `seed_demo`.

Opens Vĩnh Phúc's 2022 district cycle from a copy of the 2021 criteria set, Lập Thạch
self-assesses one criterion, and every demo account gets an API token with a fixed key
(`fuzz-<username>` padded to 40 characters): a throwaway server, never a real one.
"""

import datetime

from django.contrib.auth import get_user_model
from knox.crypto import hash_token
from knox.models import AuthToken

from agencies.models import Agency, Block, Province
from rankings.cycles import assessments, services
from rankings.models import CriteriaSet

province = Province.objects.get(slug="vinh-phuc")
block = Block.objects.get(slug="districts")
source = CriteriaSet.objects.filter(province=province, block=block).order_by("-slug").first()
copy = services.criteria_set_copy(source=source, slug="vinh-phuc-districts-2022", name="2022")
cycle = services.cycle_open(
    province=province,
    block=block,
    year=2022,
    criteria_set=copy,
    submission_deadline=datetime.date.today() + datetime.timedelta(days=30),
)
lap_thach = Agency.objects.get(province=province, block=block, slug="lap-thach")
first = copy.criteria.filter(rule="direct").order_by("order", "code").first()
assessments.self_assessment_save(
    cycle=cycle,
    agency=lap_thach,
    inputs={first.code: assessments.RawInput(value=first.max_points)},
    user=None,
)
for user in get_user_model().objects.exclude(username="admin"):
    key = f"fuzz-{user.username}".ljust(40, "0")
    AuthToken.objects.filter(user=user).delete()
    AuthToken(digest=hash_token(key), token_key=key[:15], user=user, expiry=None).save()
