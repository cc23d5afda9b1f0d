"""The national synthetic data set, on a subset small enough to run in seconds.

Vĩnh Phúc (26) and Sơn La (14) in 2019 and 2020, then their successors in 2025: Phú Thọ
(25, formed from Vĩnh Phúc, Phú Thọ and Hoà Bình) and Sơn La (14, unchanged).

    legacy, each year     departments  districts  communes
    Vĩnh Phúc                      20          9       121
    Sơn La                         20         12       204
    current, 2025         departments             communes
    Phú Thọ                        14                  148
    Sơn La                         14                   75

The national ranking (`/toan-quoc/`, block "provinces", the DTI-like set of 18 criteria)
ranks the run's provinces each year: Vĩnh Phúc and Sơn La in 2019 and 2020, Phú Thọ and
Sơn La in 2025, each a People's Committee agency that `represents` its province.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import TestCase

from agencies.models import Agency, Province, Succession
from rankings.models import AssessmentCycle, CriteriaSet, Publication, Result, Score
from rankings.seed.synthetic_catalogue import catalogue

LEGACY_AGENCIES = (20 + 9 + 121) + (20 + 12 + 204)  # 386
CURRENT_AGENCIES = (14 + 148) + (14 + 75)  # 251
CRITERIA = 80
PROVINCE_AGENCIES = 2 + 2  # the national scope's: Vĩnh Phúc, Sơn La; Phú Thọ, Sơn La (2025)
DTI_CRITERIA = 18
NATIONAL_SCORES = 3 * 2 * DTI_CRITERIA  # three years, two provinces each
BLOCK_SETS = ["national-communes", "national-departments", "national-districts"]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def totals() -> dict[tuple[str, str, int], Decimal]:
    rows = Result.objects.filter(publication__isnull=False).values_list(
        "agency__province__slug", "agency__slug", "cycle__year", "total"
    )
    return {(province, slug, year): total for province, slug, year, total in rows}


class SubsetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = run(
            "seed_national", "--seed", "42", "--provinces", "26,14", "--years", "2019,2020,2025"
        )

    def test_expected_counts(self):
        scored = 2 * LEGACY_AGENCIES + CURRENT_AGENCIES + 6  # + 2 provinces in 3 years
        scores = (scored - 6) * CRITERIA + NATIONAL_SCORES
        self.assertEqual(AssessmentCycle.objects.count(), 2 * 2 * 3 + 2 * 2 + 3)
        self.assertEqual(Publication.objects.count(), 19)
        self.assertEqual(Score.objects.count(), scores)
        self.assertEqual(Result.objects.filter(publication__isnull=True).count(), scored)
        self.assertEqual(Result.objects.filter(publication__isnull=False).count(), scored)
        self.assertEqual(
            Agency.objects.count(), LEGACY_AGENCIES + CURRENT_AGENCIES + PROVINCE_AGENCIES
        )
        self.assertIn(
            f"Seeded 19 cycles: {scores} scores, {2 * scored} results, 19 publications.",
            self.output,
        )
        self.assertRegex(
            self.output,
            r"National ranking \(/toan-quoc/\): 2019 2 provinces, 2020 2 provinces, "
            r"2025 2 provinces; 108 scores, 12 results in [\d.]+s\.",
        )
        self.assertRegex(self.output, r"Wall time [\d.]+s, peak memory \d+ MB\.")

    def test_everything_is_marked_synthetic(self):
        self.assertFalse(CriteriaSet.objects.filter(is_synthetic=False).exists())
        self.assertFalse(Score.objects.filter(is_synthetic=False).exists())
        self.assertFalse(Publication.objects.filter(is_synthetic=False).exists())
        names = CriteriaSet.objects.values_list("name", flat=True)
        self.assertTrue(all("(mô phỏng)" in name for name in names))
        self.assertEqual(
            sorted(CriteriaSet.objects.values_list("slug", flat=True)),
            [*BLOCK_SETS, "national-dti"],
        )

    def test_criteria_sets_mix_every_rule(self):
        for criteria_set in CriteriaSet.objects.filter(slug__in=BLOCK_SETS):
            rules = set(criteria_set.criteria.values_list("rule", flat=True))
            self.assertEqual(rules, {"direct", "ratio", "steps", "choice", "capped", "relative"})
            self.assertEqual(criteria_set.criteria.count(), len(catalogue("communes")))
            maximum = criteria_set.criteria.aggregate(total=Sum("max_points"))["total"]
            self.assertEqual(maximum, criteria_set.max_points)

    def test_2025_uses_the_current_provinces_without_districts(self):
        current = AssessmentCycle.objects.filter(year=2025, province__is_national=False)
        self.assertEqual(
            sorted(current.values_list("province__slug", "block__slug")),
            [
                ("phu-tho-2025", "communes"),
                ("phu-tho-2025", "departments"),
                ("son-la-2025", "communes"),
                ("son-la-2025", "departments"),
            ],
        )
        phu_tho = Province.objects.get(slug="phu-tho-2025")
        self.assertEqual(str(phu_tho.valid_from), "2025-07-01")
        finance = Agency.objects.get(province=phu_tho, slug="so-tc")
        self.assertEqual(
            set(finance.predecessors.values_list("slug", flat=True)), {"so-tc", "so-khdt"}
        )

    def test_results_are_ranked_per_cycle(self):
        for publication in Publication.objects.select_related("cycle"):
            cycle = publication.cycle
            results = list(publication.results.select_related("agency").order_by("-score"))
            self.assertTrue(
                all(
                    r.agency.province_id == cycle.province_id
                    and r.agency.block_id == cycle.block_id
                    for r in results
                )
            )
            ranked = [r for r in results if r.rank is not None]
            self.assertTrue(ranked, cycle)
            self.assertEqual(ranked[0].rank, 1)
            for position, result in enumerate(ranked, start=1):
                equal_above = sum(r.score > result.score for r in ranked)
                self.assertEqual(result.rank, equal_above + 1)  # ties share a rank
                self.assertLessEqual(result.rank, position)
            for result in results:
                if result.rank is None:
                    self.assertTrue(result.not_ranked_reason)

    def test_results_match_the_real_recompute(self):
        from rankings.cycles import services

        cycle = AssessmentCycle.objects.get(
            province__slug="vinh-phuc", year=2020, block__slug="communes"
        )
        before = {
            r.agency_id: (r.total, r.score, r.percent, r.rank, r.band, r.groups, r.criteria)
            for r in cycle.results.filter(publication__isnull=True)
        }
        summary = services.cycle_recompute(cycle=cycle)
        after = {
            r.agency_id: (r.total, r.score, r.percent, r.rank, r.band, r.groups, r.criteria)
            for r in cycle.results.filter(publication__isnull=True)
        }
        self.assertEqual(summary.scores_updated, 0)
        self.assertEqual(before, after)

    def test_running_again_changes_nothing(self):
        out = run("seed_national", "--provinces", "26,14", "--years", "2019,2020,2025")
        self.assertIn("Nothing to seed", out)
        self.assertEqual(
            Score.objects.count(),
            (2 * LEGACY_AGENCIES + CURRENT_AGENCIES) * CRITERIA + NATIONAL_SCORES,
        )
        self.assertEqual(
            Agency.objects.count(), LEGACY_AGENCIES + CURRENT_AGENCIES + PROVINCE_AGENCIES
        )

    # --- The national ranking of provinces ---------------------------------------------

    def test_national_cycles_rank_the_runs_provinces(self):
        cycles = AssessmentCycle.objects.filter(province__slug="toan-quoc")
        self.assertEqual(
            sorted(cycles.values_list("year", "block__slug", "criteria_set__slug", "state")),
            [(year, "provinces", "national-dti", "published") for year in (2019, 2020, 2025)],
        )
        ranked = {
            year: sorted(
                Result.objects.filter(
                    cycle__in=cycles, cycle__year=year, publication__isnull=False
                ).values_list("agency__represents__slug", flat=True)
            )
            for year in (2019, 2020, 2025)
        }
        self.assertEqual(
            ranked,
            {
                2019: ["son-la", "vinh-phuc"],
                2020: ["son-la", "vinh-phuc"],
                2025: ["phu-tho-2025", "son-la-2025"],
            },
        )
        scope = Province.objects.get(slug="toan-quoc")
        self.assertTrue(scope.is_national)
        self.assertEqual(Province.objects.filter(is_national=True).count(), 1)

    def test_province_agencies_represent_their_provinces(self):
        vinh_phuc = Agency.objects.get(province__slug="toan-quoc", slug="vinh-phuc")
        self.assertEqual(
            (vinh_phuc.name, vinh_phuc.short_name, vinh_phuc.kind, vinh_phuc.admin_unit_code),
            ("UBND tỉnh Vĩnh Phúc", "Vĩnh Phúc", "province", "26"),
        )
        self.assertEqual(vinh_phuc.represents.slug, "vinh-phuc")
        self.assertEqual(str(vinh_phuc.valid_to), "2025-06-30")
        phu_tho = Agency.objects.get(province__slug="toan-quoc", slug="phu-tho-2025")
        self.assertEqual(str(phu_tho.valid_from), "2025-07-01")
        # Only Vĩnh Phúc of Phú Thọ's three former provinces is in this run.
        self.assertEqual(
            list(
                Succession.objects.filter(successor=phu_tho).values_list(
                    "predecessor__slug", "whole"
                )
            ),
            [("vinh-phuc", True)],
        )

    def test_the_dti_set_has_three_pillars_and_allows_derived_values(self):
        dti = CriteriaSet.objects.get(slug="national-dti")
        self.assertEqual(
            list(dti.groups.order_by("order").values_list("code", "name", "parent")),
            [("1", "Chính quyền số", None), ("2", "Kinh tế số", None), ("3", "Xã hội số", None)],
        )
        self.assertEqual(dti.criteria.count(), DTI_CRITERIA)
        self.assertEqual(dti.criteria.aggregate(total=Sum("max_points"))["total"], dti.max_points)
        self.assertEqual(dti.max_points, Decimal("1000"))
        self.assertTrue(dti.allows_derived_predecessor and dti.is_synthetic)
        self.assertEqual(dti.province.slug, "toan-quoc")
        self.assertFalse(dti.bands.exists())  # the DTI publishes ranks and scores only
        rules = set(dti.criteria.values_list("rule", flat=True))
        self.assertEqual(rules, {"direct", "ratio", "steps", "choice", "capped", "relative"})

    def test_national_decisions_are_the_ministrys(self):
        decisions = dict(
            Publication.objects.filter(cycle__province__slug="toan-quoc").values_list(
                "cycle__year", "decision_number"
            )
        )
        self.assertRegex(decisions[2019], r"^\d+/QĐ-BTTTT$")
        self.assertRegex(decisions[2025], r"^\d+/QĐ-BKHCN$")  # the ministries merged in 2025

    def test_national_results_match_the_real_recompute(self):
        from rankings.cycles import services

        cycle = AssessmentCycle.objects.get(province__slug="toan-quoc", year=2025)
        before = {
            r.agency_id: (r.total, r.score, r.percent, r.rank, r.band, r.groups, r.criteria)
            for r in cycle.results.filter(publication__isnull=True)
        }
        summary = services.cycle_recompute(cycle=cycle)
        after = {
            r.agency_id: (r.total, r.score, r.percent, r.rank, r.band, r.groups, r.criteria)
            for r in cycle.results.filter(publication__isnull=True)
        }
        self.assertEqual(summary.scores_updated, 0)
        self.assertEqual(before, after)
        self.assertEqual(len(after), 2)


@pytest.mark.django_db
def test_same_seed_same_totals():
    run("seed_national", "--seed", "42", "--provinces", "26", "--years", "2019")
    first = totals()
    assert len(first) == 20 + 9 + 121 + 1  # and Vĩnh Phúc in the national ranking

    run("seed_national", "--seed", "42", "--provinces", "26", "--years", "2019", "--reset")
    assert totals() == first

    run("seed_national", "--seed", "7", "--provinces", "26", "--years", "2019", "--reset")
    assert totals() != first


@pytest.mark.django_db
def test_demo_cycles_and_agencies_are_kept():
    run("seed_demo")
    demo = AssessmentCycle.objects.get(
        province__slug="vinh-phuc", year=2019, block__slug="districts"
    )
    demo_totals = dict(demo.results.values_list("agency__slug", "total"))

    out = run("seed_national", "--provinces", "26", "--years", "2019")

    assert "Kept 2 existing cycles not from this seed" in out
    demo.refresh_from_db()
    assert demo.criteria_set.slug == "vinh-phuc-districts-2019"
    assert dict(demo.results.values_list("agency__slug", "total")) == demo_totals
    seeded = AssessmentCycle.objects.get(
        province__slug="vinh-phuc", year=2019, block__slug="communes"
    )
    assert seeded.criteria_set.slug == "national-communes"
    per_block = dict(
        Agency.objects.filter(province__slug="vinh-phuc")
        .values_list("block__slug")
        .annotate(n=Count("id"))
    )
    assert per_block == {"departments": 20, "districts": 9, "communes": 121}


def national_inputs(province: str) -> dict:
    rows = Score.objects.filter(
        cycle__province__slug="toan-quoc", agency__slug=province
    ).values_list("criterion__code", "value", "denominator", "choice")
    return {code: rest for code, *rest in rows}


@pytest.mark.django_db
def test_a_provinces_national_inputs_do_not_depend_on_the_other_provinces():
    run("seed_national", "--provinces", "26,14", "--years", "2019")
    both = national_inputs("vinh-phuc")
    assert len(both) == 18

    run("seed_national", "--provinces", "26", "--years", "2019", "--reset")
    assert national_inputs("vinh-phuc") == both
    ranked = Result.objects.filter(cycle__province__slug="toan-quoc", publication__isnull=False)
    assert list(ranked.values_list("agency__slug", "rank")) == [("vinh-phuc", 1)]
