"""The council's review desk reads a fixed number of queries, however many agencies,
criteria, evidence files and reviews the cycle holds.

A realistic district cycle (Vĩnh Phúc ranks 9 districts): the world's three districts and
six more, a criteria set of 19 criteria in 3 groups (ratios and direct values, every
third one needing evidence), each district self-assessed on every criterion with one or
two pieces of evidence, the council having verified about half, returned one criterion of
the agency under review and left the rest pending. The cycle is in review.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    CycleState,
    Evidence,
    Membership,
    Review,
    Role,
    Score,
    Stage,
    Submission,
    SubmissionState,
)

pytestmark = pytest.mark.django_db
D = Decimal
DESK = "/quan-ly/mau/2022/districts/don-vi/an/tham-dinh/"
CRITERIA, DISTRICTS = 19, 9
# session, user, memberships, cycle, agency; the desk: the agency's submission (which review
# actions its state allows), whether it is published, its scores, their evidence, the
# criteria; the final preview the rank comes from: the block's agencies, submissions, final
# scores, whether published, verified scores, criteria with groups, bands.
QUERIES = 17


def criteria_set(world) -> CriteriaSet:
    made = CriteriaSet.objects.create(
        province=world.province,
        block=world.districts,
        name="Bộ tiêu chí huyện 2022 (19 tiêu chí)",
        slug="mau-huyen-2022-19",
        max_points=D(CRITERIA * 10),
        precision=3,
        percent_precision=1,
    )
    groups = [
        CriterionGroup.objects.create(criteria_set=made, code=str(g), name=f"Nhóm {g}", order=g)
        for g in (1, 2, 3)
    ]
    Criterion.objects.bulk_create(
        Criterion(
            criteria_set=made,
            group=groups[n % 3],
            code=f"{n % 3 + 1}.{n // 3 + 1}",
            name=f"Tiêu chí {n}",
            max_points=D(10),
            rule="ratio" if n % 2 else "direct",
            evidence_required=n % 3 == 0,
            order=n,
        )
        for n in range(CRITERIA)
    )
    return made


def districts(world) -> list[Agency]:
    more = [
        Agency.objects.create(
            province=world.province,
            block=world.districts,
            kind=world.an.kind,
            slug=f"huyen-{n}",
            name=f"UBND huyện Số {n}",
            short_name=f"Số {n}",
            valid_from=world.an.valid_from,
        )
        for n in range(DISTRICTS - 3)
    ]
    return [world.an, world.binh, world.cat, *more]


def fill(cycle, agencies) -> None:
    """Every district self-assessed every criterion; the council verified every other one."""
    criteria = list(cycle.criteria_set.criteria.order_by("order"))
    own, verified = [], []
    for a, agency in enumerate(agencies):
        for n, criterion in enumerate(criteria):
            value = D((a + n) % 10)
            fields = {
                "cycle": cycle,
                "agency": agency,
                "criterion": criterion,
                "value": value,
                "denominator": D(10) if criterion.rule == "ratio" else None,
                "points": value,
                "max_points": D(10),
            }
            accepted = n % 2 == 0
            review = Review.ACCEPTED if accepted else Review.PENDING
            own.append(Score(stage=Stage.SELF, review=review, **fields))
            if accepted:
                verified.append(Score(stage=Stage.VERIFIED, review=Review.ACCEPTED, **fields))
        Submission.objects.create(cycle=cycle, agency=agency, state=SubmissionState.SUBMITTED)
    Score.objects.bulk_create(own + verified)
    Evidence.objects.bulk_create(
        Evidence(score=score, title=f"Minh chứng {k}", url=f"https://example.vn/{score.pk}/{k}")
        for score in Score.objects.filter(cycle=cycle, stage=Stage.SELF)
        for k in range(1 + score.pk % 2)
    )


@pytest.fixture
def big_cycle(world):
    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=criteria_set(world),
        state=CycleState.REVIEW,
    )
    fill(cycle, districts(world))
    returned = Score.objects.get(
        cycle=cycle, agency=world.an, stage=Stage.SELF, criterion__code="2.1"
    )
    returned.review, returned.comment = Review.RETURNED, "Thiếu biên bản"
    returned.save()
    return cycle


def reviewer(world):
    person = get_user_model().objects.create_user("hd-desk", "", "x")
    Membership.objects.create(user=person, role=Role.REVIEWER, province=world.province)
    return person


def test_the_review_desk_reads_a_fixed_number_of_queries(
    client, world, big_cycle, django_assert_max_num_queries
):
    assert Score.objects.filter(cycle=big_cycle, stage=Stage.SELF).count() == 9 * 19
    client.force_login(reviewer(world))
    client.get(DESK)  # warm the session and the site's caches
    for view in ("", "?loc=unreviewed", "?loc=returned", "?loc=changed"):
        with django_assert_max_num_queries(QUERIES):
            page = client.get(DESK + view)
        assert page.status_code == 200
    html = client.get(DESK).content.decode()
    assert html.count('class="review-form"') == CRITERIA
    assert (
        html.count('href="https://example.vn/')
        == Evidence.objects.filter(score__cycle=big_cycle, score__agency=world.an).count()
    )
    assert "Hội đồng: Thiếu biên bản" in html and 'id="desk-rank">' in html


def test_the_count_does_not_grow_with_agencies_or_evidence(client, world, big_cycle):
    client.force_login(reviewer(world))
    client.get(DESK)
    with CaptureQueriesContext(connection) as before:
        client.get(DESK)
    more = Agency.objects.create(
        province=world.province,
        block=world.districts,
        kind=world.an.kind,
        slug="huyen-moi",
        name="UBND huyện Mới",
        short_name="Mới",
        valid_from=world.an.valid_from,
    )
    fill_one = Score.objects.filter(
        cycle=big_cycle, agency=world.an, stage=Stage.SELF
    ).select_related("criterion")
    Evidence.objects.bulk_create(
        Evidence(score=score, title="Thêm", url="https://example.vn/them") for score in fill_one
    )
    Score.objects.bulk_create(
        Score(
            cycle=big_cycle,
            agency=more,
            criterion=score.criterion,
            stage=Stage.VERIFIED,
            value=D(5),
            denominator=D(10) if score.criterion.rule == "ratio" else None,
            points=D(5),
            max_points=D(10),
        )
        for score in fill_one
    )
    with CaptureQueriesContext(connection) as after:
        client.get(DESK)
    assert len(after) == len(before), [q["sql"][:120] for q in after.captured_queries]


def test_the_desk_reads_scores_and_evidence_without_their_default_orderings(
    client, world, big_cycle
):
    """Score's default ordering joins ten tables and sorts by 16 keys, Evidence's joins
    the score's again: the desk keys its rows itself, so its reads join nothing."""
    client.force_login(reviewer(world))
    client.get(DESK)
    with CaptureQueriesContext(connection) as read:
        client.get(DESK)

    def reads(table: str) -> list[str]:
        return [q["sql"] for q in read.captured_queries if f' FROM "{table}"' in q["sql"]]

    scores = [sql for sql in reads("rankings_score") if '"rankings_score"."agency_id" = ' in sql]
    evidence = reads("rankings_evidence")
    assert len(scores) == 1 and len(evidence) == 1
    assert " JOIN " not in scores[0] and " JOIN " not in evidence[0], (scores, evidence)
