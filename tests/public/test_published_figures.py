"""Every figure DOMAIN.md quotes, reproduced by the engine through `cycle_recompute`.

The demo's criterion-level inputs are synthetic; the totals, averages, spreads, ranks and
percentages below are computed from them by the real path, never read from the fixture.
Percentages are exact in the engine; truncated to the printed precision they equal the
printed ones (`rounding is a rule of the criteria set`).
"""

from decimal import ROUND_DOWN, Decimal

import pytest

from rankings.cycles import services
from rankings.models import AssessmentCycle, Result
from rankings.public.selectors.leaderboard import Leaderboard, leaderboard, published_cycle

D = Decimal


def truncated(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def exact_percent(total: Decimal, maximum: Decimal) -> Decimal:
    return total * 100 / maximum


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from rankings.seed.demo import seed_demo

    with django_db_blocker.unblock():
        seed_demo()
        yield
        from tests.cleanup import delete_everything

        delete_everything()


def board(province: str, year: int, block: str) -> Leaderboard:
    cycle = published_cycle(province=province, year=year, block=block)
    # Recompute from the stored scores and check the draft equals what was published.
    services.cycle_recompute(cycle=cycle)
    published = leaderboard(cycle=cycle)
    drafts = {
        r.agency_id: (r.total, r.rank)
        for r in Result.objects.filter(cycle=cycle, publication__isnull=True)
    }
    assert drafts == {r["agency_id"]: (r["exact_total"], r["rank"]) for r in published.records}
    return published


def row(board_: Leaderboard, slug: str):
    return next(r for r in board_.records if r["agency_slug"] == slug)


pytestmark = pytest.mark.django_db


# Vĩnh Phúc 2020, departments (QĐ 3192/QĐ-UBND ngày 22/11/2021)
def test_vp_2020_departments_average_49_8631_is_79_percent(demo):
    b = board("vinh-phuc", 2020, "departments")
    assert b.stats.count == 20
    assert b.stats.mean == D("49.8631")
    assert b.criteria_set.max_points == D("63")
    assert truncated(exact_percent(b.stats.mean, D(63)), 0) == 79


def test_vp_2020_departments_up_4_650_on_2019_average_45_2131(demo):
    b = board("vinh-phuc", 2020, "departments")
    assert b.previous.stats.mean == D("45.2131")
    assert b.mean_change == D("4.650")


def test_vp_2020_departments_highest_so_tttt_59_984_is_95_percent(demo):
    b = board("vinh-phuc", 2020, "departments")
    top = row(b, "so-tttt")
    assert (top["rank"], top["total"], top["percent"]) == (1, D("59.984"), D("95"))
    assert b.highest.agency.name == "Sở Thông tin và Truyền thông"
    assert truncated(exact_percent(D("59.984"), D(63)), 0) == 95


def test_vp_2020_departments_lowest_bql_kcn_33_407_is_53_percent(demo):
    b = board("vinh-phuc", 2020, "departments")
    low = row(b, "bql-kcn")
    assert (low["rank"], low["total"], low["percent"]) == (20, D("33.407"), D("53"))
    assert b.lowest.agency.name == "Ban Quản lý các Khu công nghiệp"


def test_vp_2020_departments_spread_26_577(demo):
    assert board("vinh-phuc", 2020, "departments").stats.spread == D("26.577")


def test_vp_2020_two_lowest_departments(demo):
    b = board("vinh-phuc", 2020, "departments")
    assert [r["agency_slug"] for r in b.records[-2:]] == ["so-ct", "bql-kcn"]


# Vĩnh Phúc 2020, districts
def test_vp_2020_districts_average_90_479_is_65_5_percent(demo):
    b = board("vinh-phuc", 2020, "districts")
    assert b.stats.count == 9
    assert b.stats.mean == D("90.479")
    assert b.criteria_set.max_points == D("138")
    assert truncated(exact_percent(b.stats.mean, D(138)), 1) == D("65.5")
    assert b.mean_percent == D("65.5")


def test_vp_2020_districts_up_18_995_on_2019_average_71_484(demo):
    b = board("vinh-phuc", 2020, "districts")
    assert b.previous.stats.mean == D("71.484")
    assert b.mean_change == D("18.995")


def test_vp_2020_districts_highest_lap_thach_106_331_is_77_percent(demo):
    b = board("vinh-phuc", 2020, "districts")
    top = row(b, "lap-thach")
    assert (top["rank"], top["total"]) == (1, D("106.331"))
    assert truncated(exact_percent(D("106.331"), D(138)), 0) == 77
    assert top["percent"] == D("77.0")


def test_vp_2020_districts_lowest_tam_duong_74_337_is_53_8_percent(demo):
    b = board("vinh-phuc", 2020, "districts")
    low = row(b, "tam-duong")
    assert (low["rank"], low["total"], low["percent"]) == (9, D("74.337"), D("53.8"))


def test_vp_2020_districts_spread_31_994_and_two_lowest(demo):
    b = board("vinh-phuc", 2020, "districts")
    assert b.stats.spread == D("31.994")
    assert [r["agency_slug"] for r in b.records[-2:]] == ["phuc-yen", "tam-duong"]


# Vĩnh Phúc 2019, districts (Báo Vĩnh Phúc, 02/06/2020)
def test_vp_2019_lap_thach_first_90_69_is_66_percent(demo):
    b = board("vinh-phuc", 2019, "districts")
    first = row(b, "lap-thach")
    assert (first["rank"], first["total"], first["percent"]) == (1, D("90.690"), D("66"))


def test_vp_2019_lap_thach_readiness_33_943_highest_application_56_747_second(demo):
    b = board("vinh-phuc", 2019, "districts")
    readiness = sorted(b.records, key=lambda r: r["group_1"], reverse=True)
    application = sorted(b.records, key=lambda r: r["group_2"], reverse=True)
    assert readiness[0]["agency_slug"] == "lap-thach"
    assert readiness[0]["group_1"] == D("33.943")
    assert application[1]["agency_slug"] == "lap-thach"
    assert application[1]["group_2"] == D("56.747")


def test_vp_2019_lap_thach_almost_20_points_above_average(demo):
    b = board("vinh-phuc", 2019, "districts")
    gap = row(b, "lap-thach")["total"] - b.stats.mean
    assert D("19") < gap < D("20")


# Vĩnh Phúc 2021 (Báo Vĩnh Phúc, 25/07/2022)
def test_vp_2021_districts_lap_thach_112_3_of_138_then_yen_lac_tam_dao_vinh_yen(demo):
    b = board("vinh-phuc", 2021, "districts")
    assert [r["agency_slug"] for r in b.records[:4]] == [
        "lap-thach",
        "yen-lac",
        "tam-dao",
        "vinh-yen",
    ]
    assert b.records[0]["total"] == D("112.300")


def test_vp_2021_department_order(demo):
    b = board("vinh-phuc", 2021, "departments")
    assert [r["agency_name"] for r in b.records[:5]] == [
        "Sở Thông tin và Truyền thông",
        "Văn phòng UBND tỉnh",
        "Sở Tài chính",
        "Sở Xây dựng",
        "Sở Lao động - Thương binh và Xã hội",
    ]


# Sơn La, Mộc Châu
def test_moc_chau_first_in_2019_and_2020_from_87_0_to_89_2(demo):
    b2019 = board("son-la", 2019, "districts")
    b2020 = board("son-la", 2020, "districts")
    assert (row(b2019, "moc-chau")["rank"], row(b2019, "moc-chau")["total"]) == (1, D("87.0"))
    first = row(b2020, "moc-chau")
    assert (first["rank"], first["total"], first["change"]) == (1, D("89.2"), D("2.2"))


def test_moc_chau_2020_real_indicators_give_their_points(demo):
    from rankings.models import Score

    cycle = AssessmentCycle.objects.get(province__slug="son-la", year=2020)
    scores = {
        s.criterion.code: s
        for s in Score.objects.filter(cycle=cycle, agency__slug="moc-chau").select_related(
            "criterion"
        )
    }
    dossiers = scores["2.3.2"]
    assert (dossiers.value, dossiers.denominator) == (D("102"), D("336"))
    assert truncated(dossiers.value * 100 / dossiers.denominator, 1) == D("30.3")
    assert dossiers.points == D("2.429")  # 102/336 × 8, half up at thousandths
    assert scores["2.3.3"].points == scores["2.3.3"].max_points  # 105 procedures: the best
    assert not dossiers.is_synthetic and scores["1.1.3"].is_synthetic


def test_a_block_mean_percent_prints_by_the_sets_rule_on_every_page(client, demo):
    """Vĩnh Phúc departments 2023 (1000 points, percents at 2 places half up): the mean
    776,0777 is 77,6077…% of maximum, so 77,61% on the leaderboard, the trends table and
    its chart summary, as the API gives it (the trends page once cut it to 77,60%)."""
    leader = client.get("/vinh-phuc/2023/departments/").content.decode()
    trends = client.get("/vinh-phuc/xu-huong/departments/").content.decode()
    api = client.get("/api/v1/rankings/?province=vinh-phuc&year=2023&block=departments").json()
    assert api["statistics"]["mean_percent"] == "77.61"
    assert "77,61% điểm tối đa" in leader
    assert '<td class="num">77,61%</td>' in trends
    assert "2023: trung bình 77,61% điểm tối đa (776,0777/1000)" in trends
    assert "77,60" not in leader + trends
