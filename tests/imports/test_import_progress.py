"""A long spreadsheet import reports its progress: the callback, the cache, the JSON endpoint.

The communes block below has 120 communes under the world's district criteria set (1.1,
1.2 a/b, 2.1), so its template holds 120 agency rows: enough for the callback to report
between the start and the end of each phase, and few enough to run in a second.
"""

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from agencies.models import Agency, AgencyKind, Block, fold
from rankings.imports import services as import_services
from rankings.imports import views as import_views
from rankings.imports.services import import_apply, import_parse, import_preview
from rankings.imports.template_workbook import ENTRY_SHEET, cycle_template_xlsx
from rankings.imports.types import REPORTS_PER_PHASE
from rankings.models import AssessmentCycle, Membership, Result, Role, Score
from tests.imports.test_imports import INPUTS_2021, filled

pytestmark = pytest.mark.django_db

COMMUNES = 120
BASE = "/quan-ly/mau/2022/districts/"
TOKEN = "a1B2c3D4e5F6g7H8"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def communes(world):
    """A 2022 cycle of 120 communes under the world's district criteria set."""
    block = Block.objects.create(slug="communes", name="Khối xã", name_en="Communes", order=3)
    Agency.objects.bulk_create(
        Agency(
            province=world.province,
            block=block,
            kind=AgencyKind.COMMUNE,
            slug=f"xa-{number:03}",
            name=f"UBND xã Số {number:03}",
            short_name=f"Xã {number:03}",
            search_name=fold(f"UBND xã Số {number:03}"),
        )
        for number in range(1, COMMUNES + 1)
    )
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=block,
        criteria_set=world.cycle_2021.criteria_set,
    )


def every_commune_filled(cycle) -> bytes:
    """The cycle's real template, every commune given 1.1 = 5, 1.2 = 3/4, 2.1 = 10."""
    workbook = load_workbook(io.BytesIO(cycle_template_xlsx(cycle=cycle)))
    sheet = workbook[ENTRY_SHEET]
    header = next(r[0].row for r in sheet.iter_rows() if r[0].value == "agency_slug")
    columns = {cell.value: cell.column for cell in sheet[header] if cell.value}
    for row in range(header + 2, sheet.max_row + 1):
        if str(sheet.cell(row=row, column=1).value or "").startswith("xa-"):
            for key, value in {"1.1": 5, "1.2 a": 3, "1.2 b": 4, "2.1": 10}.items():
                sheet.cell(row=row, column=columns[key], value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Recorder:
    """A progress callback that keeps every call."""

    def __init__(self):
        self.calls: list[tuple[str, int, int]] = []

    def __call__(self, phase, done, total):
        self.calls.append((phase, done, total))

    def phases(self) -> list[str]:
        order = []
        for phase, _, _ in self.calls:
            if not order or order[-1] != phase:
                order.append(phase)
        return order

    def of(self, phase) -> list[tuple[int, int]]:
        return [(done, total) for name, done, total in self.calls if name == phase]


def assert_complete(calls: list[tuple[int, int]]) -> None:
    """Starts at 0, never goes back, ends with done == total > 0."""
    dones = [done for done, _ in calls]
    assert dones[0] == 0
    assert dones == sorted(dones)
    assert calls[-1][0] == calls[-1][1] > 0
    assert all(done <= total or total == 0 for done, total in calls)


# ---------------------------------------------------------------------------------------
# The callback


def test_parsing_a_province_file_reports_reading_checking_computing_in_order(communes):
    progress = Recorder()
    parsed = import_parse(
        cycle=communes, upload=every_commune_filled(communes), filename="xa.xlsx", progress=progress
    )
    assert parsed.ok and len(parsed.rows) == COMMUNES
    assert progress.phases() == ["read", "check", "compute"]
    for phase in ("read", "check", "compute"):
        assert_complete(progress.of(phase))
    checked = progress.of("check")
    assert checked[-1][0] >= COMMUNES  # every agency row (and the maxima row) was counted
    # Reported every few rows, not per row or per cell: the callback's cost stays negligible.
    assert 5 < len(checked) <= REPORTS_PER_PHASE + 2
    assert len(progress.of("read")) <= REPORTS_PER_PHASE + 2


def test_a_csv_reports_its_lines_as_read(communes):
    workbook = load_workbook(io.BytesIO(every_commune_filled(communes)), read_only=True)
    text = io.StringIO()
    writer = csv.writer(text)
    for values in workbook[ENTRY_SHEET].iter_rows(values_only=True):
        writer.writerow(["" if value is None else value for value in values])
    progress = Recorder()
    parsed = import_parse(
        cycle=communes, upload=text.getvalue().encode(), filename="xa.csv", progress=progress
    )
    assert parsed.ok, parsed.problems[:3]
    assert progress.phases() == ["read", "check", "compute"]
    read = progress.of("read")
    assert_complete(read)
    assert read[0] == (0, len(text.getvalue().splitlines()))


def test_preview_then_apply_report_to_the_last_agency(communes, monkeypatch):
    parsed = import_parse(cycle=communes, upload=every_commune_filled(communes), filename="x.xlsx")
    previewing = Recorder()
    import_preview(cycle=communes, parsed=parsed, progress=previewing)
    assert previewing.calls == [("preview", 0, 2), ("preview", 1, 2), ("preview", 2, 2)]

    # Batches of 30 scores (10 communes): the save reports as the batches are written.
    monkeypatch.setattr(import_services, "SAVE_BATCH", 30)
    applying = Recorder()
    summary = import_apply(cycle=communes, parsed=parsed, progress=applying)
    assert applying.phases() == ["compute", "save", "recompute"]
    saved = applying.of("save")
    assert_complete(saved)
    assert saved[-1] == (COMMUNES, COMMUNES)
    assert [done for done, _ in saved[1:-1]] == list(range(10, COMMUNES, 10))
    assert applying.calls[-1] == ("recompute", 1, 1)
    # Written in batches, stored as one import: every score, its audit snapshot, the results.
    assert summary.scores_created == Score.objects.filter(cycle=communes).count() == COMMUNES * 3
    assert Score.history.filter(cycle_id=communes.pk).count() == COMMUNES * 3
    assert Result.objects.filter(cycle=communes).count() == COMMUNES


def test_a_refused_file_stops_where_it_was_refused(communes):
    progress = Recorder()
    parsed = import_parse(
        cycle=communes, upload=b"not a sheet", filename="x.xlsx", progress=progress
    )
    assert not parsed.ok and progress.calls == []


# ---------------------------------------------------------------------------------------
# The view and the JSON endpoint


@pytest.fixture
def cycle(world):
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )


def member(world, role, name=None, agency=None):
    user = get_user_model().objects.create_user(name or f"u-{role}")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    return user


def upload(client, data: bytes, token=TOKEN, name="diem-2022.xlsx"):
    form = {"file": SimpleUploadedFile(name, data), "progress_token": token}
    return client.post(BASE + "nhap-lieu/", form)


def progress_of(client, token=TOKEN, base=BASE):
    return client.get(f"{base}nhap-lieu/tien-do/{token}/")


def test_the_page_reads_the_state_of_its_own_upload(client, world, cycle):
    client.force_login(member(world, Role.EDITOR))
    assert progress_of(client).status_code == 404  # nothing has run under this token yet
    assert upload(client, filled(cycle, INPUTS_2021)).status_code == 200
    response = progress_of(client)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {"phase": "preview", "done": 2, "total": 2, "state": "done"}


def test_a_confirmation_reports_saving_then_done(client, world, cycle):
    client.force_login(member(world, Role.EDITOR))
    html = upload(client, filled(cycle, INPUTS_2021), token="p" * 16).content.decode()
    digest = re.search(r'name="digest" value="(\w+)"', html)[1]
    form = {"confirm": "1", "digest": digest, "format": "xlsx", "progress_token": TOKEN}
    assert client.post(BASE + "nhap-lieu/", form).status_code == 302
    assert progress_of(client).json() == {
        "phase": "recompute",
        "done": 1,
        "total": 1,
        "state": "done",
    }


def test_a_file_with_problems_ends_failed(client, world, cycle):
    client.force_login(member(world, Role.EDITOR))
    bad = dict(INPUTS_2021, cat={"1.1": 50, "1.2 a": 1, "1.2 b": 4, "2.1": 12})
    assert upload(client, filled(cycle, bad)).status_code == 400
    state = progress_of(client).json()
    assert state["state"] == "failed" and state["phase"] == "compute"


def test_another_user_cannot_read_it(client, world, cycle):
    client.force_login(member(world, Role.EDITOR))
    upload(client, filled(cycle, INPUTS_2021))
    assert progress_of(client).status_code == 200
    client.force_login(member(world, Role.EDITOR, name="another-editor"))
    response = progress_of(client)
    assert response.status_code == 404 and response.json() == {"state": "unknown"}


def test_it_is_kept_for_its_own_cycle_only(client, world, cycle):
    client.force_login(member(world, Role.EDITOR))
    upload(client, filled(cycle, INPUTS_2021))
    assert progress_of(client, base="/quan-ly/mau/2021/districts/").status_code == 404


@pytest.mark.parametrize("token", ["short", "a1B2c3D4e5F6g7H8-", "a1B2c3D4e5F6g7H8.", "x" * 65])
def test_a_malformed_token_is_neither_kept_nor_read(client, world, cycle, token):
    client.force_login(member(world, Role.EDITOR))
    response = upload(client, filled(cycle, INPUTS_2021), token=token)
    assert response.status_code == 200 and 'id="preview"' in response.content.decode()
    assert progress_of(client, token=token).status_code == 404


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPROVER, Role.REPORTER, Role.HEAD])
def test_only_those_who_import_may_ask(client, world, cycle, role):
    agency = world.an if role in {Role.REPORTER, Role.HEAD} else None
    client.force_login(member(world, role, agency=agency))
    assert progress_of(client).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, world, cycle):
    response = progress_of(client)
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]


def test_a_failing_cache_does_not_fail_the_import(client, world, cycle, monkeypatch):
    class Down:
        def set(self, *args, **kwargs):
            raise ConnectionError("cache server down")

    monkeypatch.setattr(import_views, "cache", Down())
    client.force_login(member(world, Role.EDITOR))
    response = upload(client, filled(cycle, INPUTS_2021))
    assert response.status_code == 200 and 'id="preview"' in response.content.decode()


def test_the_page_names_the_poll_address_and_its_texts(client, world, cycle):
    client.force_login(member(world, Role.EDITOR))
    html = client.get(BASE + "nhap-lieu/").content.decode()
    assert 'data-progress-url="/quan-ly/mau/2022/districts/nhap-lieu/tien-do/TOKEN/"' in html
    assert 'data-label-read="Đang đọc dòng {done}/{total}"' in html
    assert 'name="progress_token"' in html and 'aria-live="polite"' in html
    assert "js/import-progress.js" in html
