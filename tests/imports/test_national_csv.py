"""The national CSV import (`import_scores_csv`).

The import runs on the named world of tests/world.py, with an open 2022 cycle of the
districts (the 2021 set plus a choice criterion 3.1, maximum 50):

    2022 file     1.1    1.2 (a/b)     2.1    3.1 (co = 10, mot-phan = 5)   total   rank
    An            8      35/50 = 7     15     co       10                   40.000  2
    Bình          9      40/40 = 10    16     co       10                   45.000  1
    Cát           5      1/4   = 2.5   12.5   mot-phan  5                   25.000  3
"""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.db import connection

from rankings.cycles import services
from rankings.imports import national_csv
from rankings.imports.national_csv import national_import
from rankings.imports.national_csv_reader import number_error
from rankings.imports.national_csv_types import SHOWN_PROBLEMS
from rankings.imports.types import ImportRefused
from rankings.models import (
    AssessmentCycle,
    Criterion,
    CycleState,
    Result,
    Score,
    Stage,
)
from tests.cycles.test_year_recompute import HEADER, D, drafts, points, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_2022(world):
    criteria_set = services.criteria_set_copy(
        source=world.cycle_2021.criteria_set, slug="mau-huyen-2022", name="Bộ tiêu chí 2022"
    )
    group = criteria_set.groups.get(code="2")
    Criterion.objects.create(
        criteria_set=criteria_set,
        group=group,
        code="3.1",
        name="Có cổng dữ liệu mở",
        max_points=D("10"),
        rule="choice",
        params={"choices": {"co": "1", "mot-phan": "0.5", "khong": "0"}},
        order=4,
    )
    criteria_set.max_points = D("50")
    criteria_set.save()
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=criteria_set,
        state=CycleState.OPEN,
        submission_deadline=datetime.date(2022, 12, 1),
    )


GOOD_2022 = HEADER + "".join(
    f"mau,districts,2022,{agency},{code},{value},{denominator},{choice}\n"
    for agency, rows in {
        "an": [("1.1", 8, "", ""), ("1.2", 35, 50, ""), ("2.1", 15, "", ""), ("3.1", "", "", "co")],
        "binh": [
            ("1.1", 9, "", ""),
            ("1.2", 40, 40, ""),
            ("2.1", 16, "", ""),
            ("3.1", "", "", "Có"),  # keys match without case and diacritics
        ],
        "cat": [
            ("1.1", 5, "", ""),
            ("1.2", 1, 4, ""),
            ("2.1", "12,5", "", ""),  # a decimal comma, quoted below
            ("3.1", "", "", "mot-phan"),
        ],
    }.items()
    for code, value, denominator, choice in rows
).replace("12,5", '"12,5"')


def write(tmp_path: Path, text: str | bytes, name: str = "scores.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def ranking(cycle) -> list[tuple[str, Decimal, int | None]]:
    return list(
        Result.objects.filter(cycle=cycle, publication__isnull=True)
        .order_by("rank", "agency__slug")
        .values_list("agency__slug", "total", "rank")
    )


def test_a_good_file_imports_and_ranks(open_2022, tmp_path, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="x")
    out = run("import_scores_csv", "--year", "2022", "--user", "editor", write(tmp_path, GOOD_2022))

    assert "12 values (12 lines) for 1 cycles of 2022: 12 scores created, 0 changed" in out
    assert ranking(open_2022) == [
        ("binh", D("45.000"), 1),
        ("an", D("40.000"), 2),
        ("cat", D("25.000"), 3),
    ]
    cat = Score.objects.get(cycle=open_2022, agency__slug="cat", criterion__code="2.1")
    assert (cat.value, cat.points, cat.updated_by) == (D("12.5"), D("12.5"), editor)
    choice = Score.objects.get(cycle=open_2022, agency__slug="binh", criterion__code="3.1")
    assert (choice.choice, choice.value, choice.points) == ("co", None, D("10"))
    # What cycle_recompute would write, to the last field.
    expected = drafts([open_2022.pk])
    services.cycle_recompute(cycle=open_2022)
    assert drafts([open_2022.pk]) == expected


def test_imports_keep_an_audit_row_per_score_written(open_2022, tmp_path, django_user_model):
    django_user_model.objects.create_user("editor", password="x")
    path = write(tmp_path, GOOD_2022)
    run("import_scores_csv", "--year", "2022", "--user", "editor", path)
    history = Score.history.filter(cycle_id=open_2022.pk)
    assert history.count() == 12
    assert set(history.values_list("history_change_reason", "history_type")) == {("import", "~")}
    assert set(history.values_list("history_user__username", flat=True)) == {"editor"}
    first = history.get(agency_id__isnull=False, criterion__code="1.1", agency__slug="an")
    assert (first.value, first.points, first.stage) == (D("8"), D("8"), Stage.FINAL)

    # The same file again changes nothing and records nothing; a changed value, one row.
    assert "0 changed, 12 unchanged" in run("import_scores_csv", "--year", "2022", path)
    assert history.count() == 12
    write(
        tmp_path, GOOD_2022.replace("mau,districts,2022,cat,1.1,5", "mau,districts,2022,cat,1.1,6")
    )
    assert "0 scores created, 1 changed, 11 unchanged" in run(
        "import_scores_csv", "--year", "2022", path
    )
    assert history.count() == 13
    latest = history.order_by("-history_id").first()
    assert (latest.agency.slug, latest.criterion.code, latest.value) == ("cat", "1.1", D("6"))
    assert ranking(open_2022)[2] == ("cat", D("26.000"), 3)


def state_of_everything() -> tuple:
    return (
        sorted(Score.objects.values_list("id", "value", "denominator", "choice", "points")),
        Score.history.count(),
        drafts(AssessmentCycle.objects.values_list("pk", flat=True)),
    )


BAD_2022 = (
    HEADER
    + "mau,districts,2022,an,1.1,8,,\n"  # 2: fine
    + "nowhere,districts,2022,an,1.1,8,,\n"  # 3: unknown province
    + "mau,towns,2022,an,1.1,8,,\n"  # 4: unknown block
    + "mau,departments,2022,so-mot,1.1,8,,\n"  # 5: no 2022 cycle of departments
    + "mau,districts,2022,dong,1.1,8,,\n"  # 6: unknown agency
    + "mau,districts,2022,so-mot,1.1,8,,\n"  # 7: an agency of another block
    + "mau,districts,2022,an,9.9,8,,\n"  # 8: unknown criterion
    + "mau,districts,2022,an,2.1,abc,,\n"  # 9: not a number
    + "mau,districts,2022,binh,2.1,1.2345,,\n"  # 10: four decimals
    + "mau,districts,2022,binh,1.1,11,,\n"  # 11: above the maximum 10
    + "mau,districts,2022,cat,1.2,3,,\n"  # 12: ratio without b
    + "mau,districts,2022,cat,1.2,5,4,\n"  # 13: a above b
    + "mau,districts,2022,cat,1.1,3,4,\n"  # 14: b for a direct criterion
    + "mau,districts,2022,cat,3.1,,,maybe\n"  # 15: not one of the choices
    + "mau,districts,2022,an,1.1,7,,\n"  # 16: duplicate of line 2
    + "mau,districts,2021,cat,2.1,7,,\n"  # 17: another year
    + "mau,districts,2022,binh,2.1,-1,,\n"  # 18: negative
)


EXPECTED_PLACES = [
    (3, "province"),
    (4, "block"),
    (5, "block"),
    (6, "agency"),
    (7, "agency"),
    (8, "criterion"),
    (9, "value"),
    (10, "value"),
    (11, "value"),
    (12, "denominator"),
    (13, "value"),
    (14, "denominator"),
    (15, "choice"),
    (16, "criterion"),
    (17, "year"),
    (18, "value"),
]


def test_errors_are_located_and_nothing_is_written(open_2022, tmp_path):
    before = state_of_everything()
    with pytest.raises(ImportRefused) as refused:
        national_import(path=write(tmp_path, BAD_2022), year=2022)
    found = {(p.row, p.column): (p.value, p.message) for p in refused.value.problems}

    assert sorted(found) == [(n, c) for n, c in EXPECTED_PLACES]
    assert refused.value.total == 16
    assert found[(3, "province")][0] == "nowhere"
    assert "mã (slug) của một tỉnh" in found[(3, "province")][1]
    assert "một trong các khối departments, districts" in found[(4, "block")][1]
    assert "mau không có kỳ đánh giá khối departments" in found[(5, "block")][1]
    assert found[(6, "agency")] == ("dong", "cần mã (slug) của một cơ quan thuộc mau")
    assert (
        "cơ quan của khối districts; cơ quan này thuộc khối departments"
        in (found[(7, "agency")][1])
    )
    assert "tiêu chí của bộ mau-huyen-2022: 1.1, 1.2, 2.1, 3.1" in found[(8, "criterion")][1]
    assert found[(9, "value")] == ("abc", number_error(0))
    assert found[(10, "value")] == ("1.2345", "cần một số có tối đa 3 chữ số thập phân")
    assert found[(11, "value")] == ("11", "cần tối đa 10, điểm tối đa của tiêu chí 1.1")
    assert "mẫu số b của tỉ lệ 1.2" in found[(12, "denominator")][1]
    assert found[(13, "value")] == ("5", "cần tối đa bằng mẫu số b (4)")
    assert "tiêu chí 1.1 không phải tỉ lệ" in found[(14, "denominator")][1]
    assert found[(15, "choice")] == (
        "maybe",
        "cần một trong các lựa chọn của tiêu chí 3.1: co, khong, mot-phan",
    )
    assert "dòng 2 đã có giá trị này" in found[(16, "criterion")][1]
    assert found[(17, "year")] == ("2021", "cần năm của lần nhập, 2022")
    assert found[(18, "value")] == ("-1", "cần một số không âm")
    assert str(refused.value.problems[0]).startswith(
        "Dòng 3, cột “province”: giá trị “nowhere” không hợp lệ — cần mã"
    )
    assert state_of_everything() == before


def test_only_the_first_problems_are_listed_then_a_count(open_2022, tmp_path):
    lines = "".join(f"mau,districts,2022,an{i},1.1,1,,\n" for i in range(120))
    with pytest.raises(CommandError) as refused:
        run("import_scores_csv", "--year", "2022", write(tmp_path, HEADER + lines))
    message = str(refused.value)
    assert message.count("cần mã (slug) của một cơ quan thuộc mau") == SHOWN_PROBLEMS
    assert "Dòng 2, cột “agency”: giá trị “an0”" in message
    assert f"… and {120 - SHOWN_PROBLEMS} more (120 problems in all)" in message


def test_header_problems(open_2022, tmp_path):
    with pytest.raises(ImportRefused) as refused:
        national_import(
            path=write(tmp_path, "province,block,agency,code,value,value,colour\n"), year=2022
        )
    messages = [str(p) for p in refused.value.problems]
    assert any("Dòng 1, cột “code”: cột không biết" in m for m in messages)
    assert any("cột “value” xuất hiện hai lần" in m for m in messages)
    assert any("thiếu cột “criterion”" in m for m in messages)


def test_published_cycles_need_a_reason_and_approved_ones_are_locked(world, tmp_path):
    path = write(tmp_path, HEADER + "mau,districts,2021,cat,1.1,6,,\n")
    before = state_of_everything()
    with pytest.raises(ImportRefused) as refused:
        national_import(path=path, year=2021)
    assert "đã công bố theo quyết định 200/QĐ-UBND" in str(refused.value.problems[0])
    assert "(--reason)" in str(refused.value.problems[0])
    assert state_of_everything() == before

    summary = national_import(path=path, year=2021, reason="Sửa số liệu của Cát")
    assert (summary.updated, summary.results) == (1, 3)
    assert world.cycle_2021.publications.get().results.get(agency=world.cat).total == D("20")

    AssessmentCycle.objects.filter(pk=world.cycle_2021.pk).update(state=CycleState.APPROVED)
    with pytest.raises(ImportRefused, match="vấn đề") as refused:
        national_import(path=path, year=2021, reason="again")
    assert "đã được phê duyệt, điểm đã khóa" in str(refused.value.problems[0])


def test_check_only_writes_nothing(open_2022, tmp_path):
    before = state_of_everything()
    out = run("import_scores_csv", "--year", "2022", "--check", write(tmp_path, GOOD_2022))
    assert "Checked scores.csv: 12 values" in out and "Nothing was written" in out
    assert state_of_everything() == before


def test_utf8_with_a_byte_order_mark_and_semicolons(open_2022, tmp_path):
    text = GOOD_2022.replace(",", ";").replace('"12;5"', "12,5")
    summary = national_import(path=write(tmp_path, b"\xef\xbb\xbf" + text.encode()), year=2022)
    assert summary.created == 12
    assert ranking(open_2022)[0] == ("binh", D("45.000"), 1)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            (HEADER + "mau,districts,2022,đông,1.1,8,,\n").encode("cp1258"),
            "dòng 2: byte 0xF0 ở byte 20 của dòng không phải UTF-8",
        ),
        ((HEADER + "mau,districts,2022,an,1.1,8,,\n").encode("utf-16"), "là văn bản UTF-16"),
        (HEADER.encode() + b"mau,districts,2022,an,1.1,8\x00,,\n", "dòng 2: có byte NUL"),
        (b"", "trống"),
    ],
)
def test_other_encodings_and_binary_files_are_refused(open_2022, tmp_path, data, expected):
    with pytest.raises(ImportRefused, match=expected):
        national_import(path=write(tmp_path, data), year=2022)
    assert not Score.objects.filter(cycle=open_2022).exists()


def test_size_and_structure_limits(open_2022, tmp_path, monkeypatch):
    path = write(tmp_path, GOOD_2022)
    monkeypatch.setattr(national_csv, "MAX_CSV_BYTES", 100)
    with pytest.raises(ImportRefused, match="tối đa 0 MB"):
        national_import(path=path, year=2022)
    monkeypatch.undo()
    first = HEADER + "mau,districts,2022,an,1.1,8,,,,\n"
    with pytest.raises(ImportRefused) as refused:
        national_import(path=write(tmp_path, first), year=2022)
    assert str(refused.value.problems[0]).startswith(
        "Dòng 2: nhiều trường hơn 8 trường của dòng tiêu đề"
    )
    later = GOOD_2022 + "mau,districts,2022,an,1.1,8,,,,\n"
    with pytest.raises(ImportRefused) as refused:
        national_import(path=write(tmp_path, later), year=2022)
    assert str(refused.value.problems[0]).startswith(
        "Dòng 14: 10 trường trong khi dòng tiêu đề có 8"
    )
    quoted = HEADER + 'mau,districts,2022,"a\nn",1.1,8,,\n'
    with pytest.raises(ImportRefused) as refused:
        national_import(path=write(tmp_path, quoted), year=2022)
    assert str(refused.value.problems[0]) == (
        "Dòng 2, cột “agency”: giá trị “a\nn” không hợp lệ — không được xuống dòng trong một ô"
    )


def test_import_of_a_national_subset_matches_cycle_recompute(demo_and_national, tmp_path):
    """Every value of 2019 exported, some changed, imported: the scores hold the file's
    values and the drafts and points are what cycle_recompute gives."""
    rows = (
        Score.objects.filter(cycle__year=2019, stage=Stage.FINAL)
        .order_by("cycle_id", "agency_id", "criterion__order")
        .values_list(
            "cycle__province__slug",
            "cycle__block__slug",
            "agency__slug",
            "criterion__code",
            "criterion__rule",
            "value",
            "denominator",
            "choice",
        )
    )
    lines, changed = [], 0
    for i, (province, block, agency, code, rule, value, denominator, choice) in enumerate(rows):
        if i % 7 == 0 and rule in {"direct", "steps", "capped", "relative"} and value:
            value, changed = (value / 2).quantize(D("0.001"), ROUND_DOWN), changed + 1
        text = lambda v: "" if v is None else f"{v:f}"  # noqa: E731
        lines.append(
            f"{province},{block},2019,{agency},{code},{text(value)},{text(denominator)},{choice}\n"
        )
    path = write(tmp_path, HEADER + "".join(lines))
    try:
        summary = national_import(path=path, year=2019, reason="test")
    except ImportRefused as refused:
        pytest.fail("\n".join(str(problem) for problem in refused.problems))
    ids = list(AssessmentCycle.objects.filter(year=2019).values_list("pk", flat=True))

    assert summary.bulk is (connection.vendor == "postgresql")
    assert summary.values == len(lines) and summary.created == 0
    assert 0 < summary.updated <= changed
    expected = (drafts(ids), points(ids))
    for cycle in AssessmentCycle.objects.filter(pk__in=ids):  # the ORM path: the reference
        assert services.cycle_recompute_orm(cycle=cycle).scores_updated == 0
    assert (drafts(ids), points(ids)) == expected


def test_command_refuses_a_missing_file_or_user(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("import_scores_csv", "--year", "2022", tmp_path / "missing.csv")
    with pytest.raises(CommandError, match="no user"):
        run("import_scores_csv", "--year", "2022", "--user", "ghost", write(tmp_path, HEADER))


def test_the_command_needs_no_system_checks(open_2022, tmp_path, monkeypatch, capsys):
    # They import every URL, view and the API schema: ~30 MB of the import's peak RSS.
    from django.core.management import ManagementUtility
    from django.core.management.base import BaseCommand

    monkeypatch.setattr(BaseCommand, "check", lambda *a, **k: pytest.fail("checks ran"))
    path = write(tmp_path, GOOD_2022)
    argv = ["manage.py", "import_scores_csv", "--year", "2022", "--check", str(path)]
    ManagementUtility(argv).execute()  # as `manage.py` runs it
    assert "Checked scores.csv: 12 values" in capsys.readouterr().out
