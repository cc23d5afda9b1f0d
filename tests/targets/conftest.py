"""The named world (tests/world.py) with the people who record targets.

Published ratio 1.2 (a/b %), totals and ranks of the districts:

            2020                      2021
    An      45/50 = 90 %  32.000  1   35/50 = 70 %   30.000  2
    Bình    30/40 = 75 %  26.000  2=  40/40 = 100 %  33.000  1
    Cát      2/4  = 50 %  26.000  2=   1/4  = 25 %   20.000  3
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from agencies.models import Province
from rankings.models import Membership, Role
from rankings.targets.models import Target

D = Decimal


@dataclass
class People:
    reporter_an: object
    editor: object
    reviewer: object
    editor_other: object


@pytest.fixture
def people(world):
    other = Province.objects.create(code="98", name="Tỉnh Khác", slug="khac")
    User = get_user_model()

    def user(name, role, province, agency=None):
        found = User.objects.create_user(name, "", "x")
        Membership.objects.create(user=found, role=role, province=province, agency=agency)
        return found

    return People(
        reporter_an=user("reporter_an", Role.REPORTER, world.province, world.an),
        editor=user("editor", Role.EDITOR, world.province),
        reviewer=user("reviewer", Role.REVIEWER, world.province),
        editor_other=user("editor_other", Role.EDITOR, other),
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def target(world, agency=None, **fields) -> Target:
    values = {
        "province": world.province,
        "agency": agency,
        "indicator": "Tỷ lệ văn bản ký số",
        "measure": "ratio",
        "criterion_code": "1.2",
        "year": 2022,
        "value": D(80),
        **fields,
    }
    found = Target(**values)
    found.full_clean()
    found.save()
    return found
