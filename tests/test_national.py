"""The national synthetic data set, on a subset small enough to run in seconds.

Vĩnh Phúc (26) and Sơn La (14) in 2019 and 2020, then their successors in 2025: Phú Thọ
(25, formed from Vĩnh Phúc, Phú Thọ and Hoà Bình) and Sơn La (14, unchanged).

    legacy, each year     departments  districts  communes
    Vĩnh Phúc                      20          9       121
    Sơn La                         20         12       204
    current, 2025         departments             communes
    Phú Thọ                        14                  148
    Sơn La                         14                   75
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import TestCase

from agencies.models import Agency, Province
from rankings.models import AssessmentCycle, CriteriaSet, Publication, Result, Score
from rankings.national import catalogue

LEGACY_AGENCIES = (20 + 9 + 121) + (20 + 12 + 204)  # 386
CURRENT_AGENCIES = (14 + 148) + (14 + 75)  # 251
CRITERIA = 80


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
        scored = 2 * LEGACY_AGENCIES + CURRENT_AGENCIES
        self.assertEqual(AssessmentCycle.objects.count(), 2 * 2 * 3 + 2 * 2)
        self.assertEqual(Publication.objects.count(), 16)
        self.assertEqual(Score.objects.count(), scored * CRITERIA)
        self.assertEqual(Result.objects.filter(publication__isnull=True).count(), scored)
        self.assertEqual(Result.objects.filter(publication__isnull=False).count(), scored)
        self.assertEqual(Agency.objects.count(), LEGACY_AGENCIES + CURRENT_AGENCIES)
        self.assertIn(
            f"Seeded 16 cycles: {scored * CRITERIA} scores, {2 * scored} results, 16 publications.",
            self.output,
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
            ["national-communes", "national-departments", "national-districts"],
        )

    def test_criteria_sets_mix_every_rule(self):
        for criteria_set in CriteriaSet.objects.all():
            rules = set(criteria_set.criteria.values_list("rule", flat=True))
            self.assertEqual(rules, {"direct", "ratio", "steps", "choice", "capped", "relative"})
            self.assertEqual(criteria_set.criteria.count(), len(catalogue("communes")))
            maximum = criteria_set.criteria.aggregate(total=Sum("max_points"))["total"]
            self.assertEqual(maximum, criteria_set.max_points)

    def test_2025_uses_the_current_provinces_without_districts(self):
        current = AssessmentCycle.objects.filter(year=2025)
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
        from rankings import services

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
        self.assertEqual(Score.objects.count(), (2 * LEGACY_AGENCIES + CURRENT_AGENCIES) * 80)


@pytest.mark.django_db
def test_same_seed_same_totals():
    run("seed_national", "--seed", "42", "--provinces", "26", "--years", "2019")
    first = totals()
    assert len(first) == 20 + 9 + 121

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
