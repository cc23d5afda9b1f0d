"""The import page's forms: no file is refused next to the file field; a correction of a
published cycle without its reason keeps the preview and the typed reason, writes nothing."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from rankings.models import Membership, Role, Score
from tests.cycles.test_form_round_trips import marked, value_of
from tests.imports.test_imports import INPUTS_2021, filled

pytestmark = pytest.mark.django_db

PAGE = "/quan-ly/mau/2021/districts/nhap-lieu/"


@pytest.fixture
def editor(client, world):
    user = get_user_model().objects.create_user("ict-import", "", "x")
    Membership.objects.create(user=user, role=Role.EDITOR, province=world.province)
    client.force_login(user)
    return user


def test_no_file_is_refused_next_to_the_file_field(client, world, editor):
    response = client.post(PAGE, {"progress_token": ""})
    html = response.content.decode()
    assert response.status_code == 400 and marked(html, "file")
    assert "Tệp: hãy chọn tệp .xlsx hoặc .csv." in html


def test_a_correction_without_reason_keeps_the_preview_and_what_was_typed(client, world, editor):
    cycle = world.cycle_2021  # published: a new import is a correction
    before = sorted(Score.objects.filter(cycle=cycle).values_list("pk", "value"))
    changed = dict(INPUTS_2021, cat={"1.1": 6, "1.2 a": 1, "1.2 b": 4, "2.1": 12.5})
    upload = SimpleUploadedFile("sua.xlsx", filled(cycle, changed))
    preview = client.post(PAGE, {"file": upload}).content.decode()
    digest = re.search(r'name="digest" value="(\w+)"', preview)[1]

    blank = client.post(PAGE, {"confirm": "1", "digest": digest, "format": "xlsx", "reason": " "})
    html = blank.content.decode()
    assert blank.status_code == 400 and 'id="preview"' in html  # the preview is still there
    assert marked(html, "reason") and "Lý do đính chính: bắt buộc vì kỳ đã công bố." in html

    long = "Sai số liệu của huyện Cát " * 100  # over the 2,000 characters allowed
    confirm = {"confirm": "1", "digest": digest, "format": "xlsx"}
    too_long = client.post(PAGE, {**confirm, "reason": long})
    html = too_long.content.decode()
    assert too_long.status_code == 400 and marked(html, "reason")
    assert value_of(html, "reason") == long
    assert sorted(Score.objects.filter(cycle=cycle).values_list("pk", "value")) == before

    done = client.post(
        PAGE, {"confirm": "1", "digest": digest, "format": "xlsx", "reason": "Sai 1.1 của Cát"}
    )
    assert done.status_code == 302
