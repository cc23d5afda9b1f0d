# ruff: noqa: E501  (the write paths are a table: one path a line)
"""Published means frozen, on every path: each write path is tried against the world's
published 2021 district cycle (criteria set mau-huyen-2021, decision 200/QĐ-UBND) and a
checksum of every published row and every public page is compared before and after.

The paths (73): each admin change, add and delete form of the criteria set, its groups,
criteria and bands, publications, results, cycles, scores and submissions; every API
write; every staff form (cycle management and exclusions included); the import (page, API, service); every management command; and
direct model writes. A path may refuse (403, 400, 409, a form error, `Frozen`) or do
something elsewhere (a new cycle copied from the published set); none may change what was
published. `PATHS_TRIED` counts them for the report.
"""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from rankings.cycles import assessments
from rankings.frozen import Frozen
from rankings.imports.services import import_apply, import_parse
from rankings.imports.types import ImportRefused
from rankings.models import (
    AssessmentCycle,
    Band,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    CycleState,
    Membership,
    Publication,
    Result,
    Role,
    Score,
    Stage,
    Submission,
)
from rankings.public import page_cache
from tests.imports.test_imports import INPUTS_2021, filled

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/mau/",
    "/mau/2021/districts/",
    "/mau/2021/districts.csv",
    "/mau/2021/districts.json",
    "/mau/2020/districts/",
    "/mau/2020/departments/",
    "/mau/2021/so-sanh/?agency=an&agency=cat",
    "/mau/don-vi/an/",
    "/mau/don-vi/an.csv",
    "/mau/xu-huong/districts/",
    "/phuong-phap/mau-huyen-2021/",
    "/api/v1/rankings/?province=mau&year=2021&block=districts",
    "/api/v1/results/?year=2021",
    "/api/v1/criteria-sets/mau-huyen-2021/",
]


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def published_checksum(*, pages: bool = True) -> dict[str, str]:
    """One digest per published table and per public page (the page cache emptied first,
    so a cached page can't hide a change)."""
    cycles = AssessmentCycle.objects.filter(publications__isnull=False).distinct()
    sets = CriteriaSet.objects.filter(cycles__in=cycles).distinct()
    rows = {
        "criteria_sets": list(sets.order_by("pk").values()),
        "groups": list(
            CriterionGroup.objects.filter(criteria_set__in=sets).order_by("pk").values()
        ),
        "criteria": list(Criterion.objects.filter(criteria_set__in=sets).order_by("pk").values()),
        "bands": list(Band.objects.filter(criteria_set__in=sets).order_by("pk").values()),
        "cycles": list(cycles.order_by("pk").values(*AssessmentCycle.FROZEN_FIELDS)),
        "publications": list(Publication.objects.order_by("pk").values()),
        "results": list(Result.objects.filter(publication__isnull=False).order_by("pk").values()),
    }
    found = {name: _digest(value) for name, value in rows.items()}
    if not pages:
        return found
    page_cache.clear()
    anonymous = Client()
    for url in PUBLIC_PAGES:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        found[url] = hashlib.sha256(response.content).hexdigest()
    return found


@pytest.fixture
def people(world):
    made = {}
    for name, role, agency in (
        ("editor", Role.EDITOR, None),
        ("reviewer", Role.REVIEWER, None),
        ("approver", Role.APPROVER, None),
        ("reporter", Role.REPORTER, world.an),
        ("head", Role.HEAD, world.an),
    ):
        user = get_user_model().objects.create_user(name, "", "x")
        Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
        made[name] = user
    made["root"] = get_user_model().objects.create_superuser("root", "", "x")
    return made


@pytest.fixture
def published(world):
    """The 2021 district cycle as the agencies and council left it: self-assessed, one
    criterion verified, An's submission submitted; then published."""
    cycle = AssessmentCycle.objects.get(pk=world.cycle_2021.pk)
    criteria = {c.code: c for c in cycle.criteria_set.criteria.all()}
    own = Score.objects.create(
        cycle=cycle,
        agency=world.an,
        criterion=criteria["1.1"],
        stage=Stage.SELF,
        value=Decimal(8),
        points=Decimal(8),
        max_points=Decimal(10),
    )
    Submission.objects.create(cycle=cycle, agency=world.an, state="submitted")
    own.evidence.create(title="Biên bản", url="https://example.vn/a.pdf")
    assert cycle.state == CycleState.PUBLISHED
    return cycle


def site(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client


BASE = "/quan-ly/mau/2021/districts/"
API = "/api/v1/cycles/mau/2021/districts/"
PDF = b"%PDF-1.4\n%evidence\n"


def admin_paths(world, people, published):
    """Each admin form that could touch what was published; (label, call, statuses)."""
    root = site(people["root"])
    cset = published.criteria_set
    group = cset.groups.get(code="1")
    criterion = cset.criteria.get(code="1.1")
    band = cset.bands.first()
    publication = published.publications.get()
    result = Result.objects.filter(publication=publication).first()
    score = Score.objects.filter(cycle=published, stage=Stage.FINAL).first()
    submission = Submission.objects.get(cycle=published)
    change = {
        "name": "Sửa",
        "slug": cset.slug,
        "block": cset.block_id,
        "province": cset.province_id,
        "max_points": "200",
        "precision": "0",
        "rounding": "half_up",
        "percent_precision": "0",
        "percent_rounding": "truncate",
        "tie_method": "competition",
        "not_ranked_basis": "points",
        "bands-TOTAL_FORMS": "0",
        "bands-INITIAL_FORMS": "0",
        "groups-TOTAL_FORMS": "0",
        "groups-INITIAL_FORMS": "0",
    }
    new_criterion = {
        "criteria_set": cset.pk,
        "group": group.pk,
        "code": "9.9",
        "name": "Mới",
        "max_points": "5",
        "rule": "direct",
        "params": "{}",
        "order": "9",
    }
    new_score = {
        "cycle": published.pk,
        "agency": world.an.pk,
        "criterion": criterion.pk,
        "stage": "final",
        "points": "1",
        "max_points": "10",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    a = "/admin/rankings/"
    return [
        ("admin: criteria set change", lambda: root.post(f"{a}criteriaset/{cset.pk}/change/", change), {403}),
        ("admin: criteria set delete", lambda: root.post(f"{a}criteriaset/{cset.pk}/delete/", {"post": "yes"}), {403}),
        ("admin: group change", lambda: root.post(f"{a}criteriongroup/{group.pk}/change/", {"criteria_set": cset.pk, "code": "1", "name": "X", "order": "1"}), {403}),
        ("admin: group delete", lambda: root.post(f"{a}criteriongroup/{group.pk}/delete/", {"post": "yes"}), {403}),
        ("admin: group add to the set", lambda: root.post(f"{a}criteriongroup/add/", {"criteria_set": cset.pk, "code": "9", "name": "X", "order": "9"}), {200}),
        ("admin: criterion change", lambda: root.post(f"{a}criterion/{criterion.pk}/change/", {**new_criterion, "code": "1.1", "max_points": "99"}), {403}),
        ("admin: criterion delete", lambda: root.post(f"{a}criterion/{criterion.pk}/delete/", {"post": "yes"}), {403}),
        ("admin: criterion add to the set", lambda: root.post(f"{a}criterion/add/", new_criterion), {200}),
        ("admin: band (inline) change", lambda: root.post(f"{a}criteriaset/{cset.pk}/change/", {**change, "max_points": str(cset.max_points), "bands-TOTAL_FORMS": "1", "bands-INITIAL_FORMS": "1", "bands-0-id": band.pk, "bands-0-criteria_set": cset.pk, "bands-0-label": "Xuất sắc", "bands-0-minimum": "1", "bands-0-basis": "percent"}), {403}),
        ("admin: publication add", lambda: root.post(f"{a}publication/add/", {"cycle": published.pk, "revision": "2", "decision_number": "1", "decision_date": "2022-01-01", "published_at_0": "2022-01-01", "published_at_1": "00:00"}), {403}),
        ("admin: publication change", lambda: root.post(f"{a}publication/{publication.pk}/change/", {"cycle": published.pk, "revision": "1", "decision_number": "X", "decision_date": "2022-01-01", "published_at_0": "2022-01-01", "published_at_1": "00:00"}), {403}),
        ("admin: publication delete", lambda: root.post(f"{a}publication/{publication.pk}/delete/", {"post": "yes"}), {403}),
        ("admin: result change", lambda: root.post(f"{a}result/{result.pk}/change/", {"total": "1"}), {403}),
        ("admin: result delete", lambda: root.post(f"{a}result/{result.pk}/delete/", {"post": "yes"}), {403}),
        ("admin: cycle change", lambda: root.post(f"{a}assessmentcycle/{published.pk}/change/", {"province": published.province_id, "year": "2021", "block": published.block_id, "criteria_set": world.cycle_2020.criteria_set_id, "state": "open"}), {403}),
        ("admin: cycle delete", lambda: root.post(f"{a}assessmentcycle/{published.pk}/delete/", {"post": "yes"}), {403}),
        ("admin: score change", lambda: root.post(f"{a}score/{score.pk}/change/", {**new_score, "points": "9"}), {403}),
        ("admin: score delete", lambda: root.post(f"{a}score/{score.pk}/delete/", {"post": "yes"}), {403}),
        ("admin: score add to the cycle", lambda: root.post(f"{a}score/add/", {**new_score, "agency": world.binh.pk, "stage": "verified"}), {200}),
        ("admin: submission change", lambda: root.post(f"{a}submission/{submission.pk}/change/", {"cycle": published.pk, "agency": world.an.pk, "state": "draft"}), {403}),
        ("admin: submission delete", lambda: root.post(f"{a}submission/{submission.pk}/delete/", {"post": "yes"}), {403}),
    ]  # fmt: skip


def api_paths(world, people, published):
    editor, reviewer, approver = (api(people[n]) for n in ("editor", "reviewer", "approver"))
    reporter, head = api(people["reporter"]), api(people["head"])
    score = API + "scores/an/1.1/"
    upload = filled(published, INPUTS_2021 | {"an": {**INPUTS_2021["an"], "1.1": 10}})
    return [
        ("api: self score PUT", lambda: reporter.put(score + "?stage=self", {"value": "9"}, format="json", HTTP_IF_MATCH="*"), {409}),
        ("api: final score PUT", lambda: editor.put(score + "?stage=final", {"value": "10"}, format="json", HTTP_IF_MATCH="*"), {409}),
        ("api: review accept", lambda: reviewer.post(score + "review/", {"action": "accepted"}, format="json"), {409}),
        ("api: review adjust", lambda: reviewer.post(score + "review/", {"action": "adjusted", "value": "1", "comment": "x"}, format="json"), {409}),
        ("api: review return", lambda: reviewer.post(score + "review/", {"action": "returned", "comment": "x"}, format="json"), {409}),
        ("api: evidence POST", lambda: reporter.post(score + "evidence/", {"title": "B", "file": SimpleUploadedFile("b.pdf", PDF)}, format="multipart"), {409}),
        ("api: submission POST", lambda: head.post(API + "agencies/an/submission/"), {409}),
        ("api: import without reason", lambda: editor.post(API + "imports/", {"file": SimpleUploadedFile("d.xlsx", upload)}, format="multipart"), {400}),
        ("api: transition review", lambda: editor.post(API + "transitions/", {"action": "review"}, format="json"), {409}),
        ("api: transition reopen", lambda: editor.post(API + "transitions/", {"action": "reopen"}, format="json"), {409}),
        ("api: transition approve", lambda: approver.post(API + "transitions/", {"action": "approve"}, format="json"), {409}),
        ("api: publication without reason", lambda: approver.post(API + "publications/", {"decision_number": "9/QĐ", "decision_date": "2023-01-02", "preview": approver.get(API + "publications/").json()["fingerprint"]}, format="json"), {400}),
        ("api: move the deadline", lambda: editor.post(API + "deadline/", {"deadline": "2030-01-01"}, format="json"), {409}),
        ("api: extend for one agency", lambda: editor.post(API + "agencies/an/extension/", {"until": "2030-01-01", "reason": "x"}, format="json"), {409}),
        ("api: reopen one submission", lambda: editor.post(API + "agencies/an/reopen/", {"reason": "x"}, format="json"), {409}),
        ("api: cancel the cycle", lambda: editor.post(API + "cancellation/", {"reason": "x"}, format="json"), {409}),
        ("api: archive the cycle", lambda: editor.post(API + "archive/", {"reason": "x"}, format="json"), {409}),
        ("api: exclude an agency", lambda: approver.put(API + "agencies/an/exclusion/", {"reason": "x"}, format="json"), {409}),
        ("api: exclude for the next correction", lambda: approver.put(API + "agencies/an/exclusion/", {"reason": "x", "correction": True}, format="json"), {200}),
        ("api: include an agency", lambda: editor.delete(API + "agencies/binh/exclusion/"), {409}),
    ]  # fmt: skip


def form_paths(world, people, published):
    reporter, head, reviewer = (site(people[n]) for n in ("reporter", "head", "reviewer"))
    editor, approver = site(people["editor"]), site(people["approver"])
    own = BASE + "don-vi/an/tu-danh-gia/"
    upload = filled(published, INPUTS_2021 | {"an": {**INPUTS_2021["an"], "1.1": 10}})

    def import_then_confirm():
        preview = editor.post(BASE + "nhap-lieu/", {"file": SimpleUploadedFile("d.xlsx", upload)})
        digest = preview.context["parsed"].digest
        return editor.post(
            BASE + "nhap-lieu/", {"confirm": "1", "digest": digest, "format": "xlsx"}
        )

    return [
        ("form: self-assessment save", lambda: reporter.post(own, {"action": "save", "v-1.1": "9"}), {400}),
        ("form: evidence", lambda: reporter.post(own, {"action": "evidence", "criterion": "1.1", "title": "B", "url": "https://example.vn/b.pdf"}), {400}),
        ("form: submit", lambda: head.post(own, {"action": "submit"}), {400}),
        ("form: review accept", lambda: reviewer.post(BASE + "don-vi/an/tham-dinh/", {"criterion": "1.1", "action": "accepted"}), {400}),
        ("form: review adjust", lambda: reviewer.post(BASE + "don-vi/an/tham-dinh/", {"criterion": "1.1", "action": "adjusted", "value": "1", "comment": "x"}), {400}),
        ("form: import, confirm without reason", import_then_confirm, {400}),
        ("form: cycle state review", lambda: editor.post(BASE + "trang-thai/", {"action": "review", "confirmed": "1"}), {302}),
        ("form: cycle state reopen", lambda: editor.post(BASE + "trang-thai/", {"action": "reopen"}), {302}),
        ("form: cycle state approve", lambda: approver.post(BASE + "trang-thai/", {"action": "approve"}), {302}),
        ("form: publish without reason", lambda: approver.post(BASE + "cong-bo/", {"decision_number": "9", "decision_date": "2023-01-02"}), {400}),
        ("form: move the deadline", lambda: editor.post(BASE + "dieu-hanh/", {"action": "deadline", "deadline-deadline": "2030-01-01"}), {409}),
        ("form: extend for one agency", lambda: editor.post(BASE + "dieu-hanh/", {"action": "extend", "extend-agency": "an", "extend-until": "2030-01-01", "extend-reason": "x"}), {409}),
        ("form: reopen one submission", lambda: editor.post(BASE + "dieu-hanh/", {"action": "reopen", "reopen-agency": "an", "reopen-reason": "x"}), {409}),
        ("form: cancel the cycle", lambda: editor.post(BASE + "dieu-hanh/", {"action": "end", "end-how": "cancel", "end-reason": "x"}), {409}),
        ("form: archive the cycle", lambda: editor.post(BASE + "dieu-hanh/", {"action": "end", "end-how": "archive", "end-reason": "x"}), {409}),
        ("form: exclude an agency", lambda: approver.post(BASE + "dieu-hanh/", {"action": "exclude", "exclude-agency": "an", "exclude-reason": "x"}), {409}),
        ("form: exclude for the next correction", lambda: editor.post(BASE + "dieu-hanh/", {"action": "exclude", "exclude-agency": "binh", "exclude-reason": "x", "exclude-correction": "on"}), {302}),
        ("form: open a cycle copied from the published set", lambda: editor.post("/quan-ly/mau/mo-ky/", {"source": published.criteria_set_id, "year": "2023"}), {302}),
    ]  # fmt: skip


def command_and_service_paths(world, people, published, tmp_path):
    csv = tmp_path / "diem.csv"
    csv.write_text(
        "province,block,agency,criterion,value\nmau,districts,an,1.1,10\n", encoding="utf-8"
    )

    def command(*args, **options):
        def run():
            try:
                call_command(*args, stdout=io.StringIO(), stderr=io.StringIO(), **options)
            except CommandError:
                return "refused"
            return "ran"

        return run

    def service_import():
        parsed = import_parse(
            cycle=published,
            upload=filled(published, {"an": {**INPUTS_2021["an"], "1.1": 10}}),
            filename="d.xlsx",
        )
        try:
            import_apply(cycle=published, parsed=parsed, user=people["editor"])
        except ImportRefused:
            return "refused"
        return "ran"

    def refused(call):
        def run():
            try:
                call()
            except (Frozen, assessments.Locked):
                return "refused"
            return "ran"

        return run

    cset = published.criteria_set
    criterion = cset.criteria.get(code="1.1")

    def edit_criterion():
        criterion.max_points = Decimal(99)
        criterion.save()

    def move_cycle():
        cycle = AssessmentCycle.objects.get(pk=published.pk)
        cycle.criteria_set = world.cycle_2020.criteria_set
        cycle.save()

    return [
        ("command: import_scores_csv without reason", command("import_scores_csv", str(csv), year=2021), {"refused"}),
        ("command: recompute_year", command("recompute_year", year=2021), {"ran"}),
        ("command: notify_deadlines", command("notify_deadlines"), {"ran"}),
        ("command: seed_demo (no reset)", command("seed_demo"), {"refused"}),
        ("service: import_apply without reason", service_import, {"refused"}),
        ("service: score_enter", refused(lambda: assessments.score_enter(cycle=published, agency=world.an, code="1.1", raw=assessments.RawInput(value=Decimal(1)), user=None)), {"refused"}),
        ("model: criterion save", refused(edit_criterion), {"refused"}),
        ("model: criteria set update()", refused(lambda: CriteriaSet.objects.filter(pk=cset.pk).update(max_points=200)), {"refused"}),
        ("model: criteria update()", refused(lambda: Criterion.objects.filter(criteria_set=cset).update(max_points=1)), {"refused"}),
        ("model: band delete", refused(lambda: cset.bands.first().delete()), {"refused"}),
        ("model: bands delete()", refused(lambda: Band.objects.filter(criteria_set=cset).delete()), {"refused"}),
        ("model: group save", refused(lambda: cset.groups.first().save()), {"refused"}),
        ("model: new criterion in the set", refused(lambda: Criterion.objects.create(criteria_set=cset, group=cset.groups.first(), code="9", name="x", max_points=1)), {"refused"}),
        ("model: cycle moved to another set", refused(move_cycle), {"refused"}),
    ]  # fmt: skip


PATHS_TRIED: list[str] = []


def test_no_write_path_changes_a_published_row_or_page(world, people, published, tmp_path):
    before = published_checksum()
    paths = [
        *admin_paths(world, people, published),
        *api_paths(world, people, published),
        *form_paths(world, people, published),
        *command_and_service_paths(world, people, published, tmp_path),
    ]
    outcomes, changed = {}, {}
    for label, call, _expected in paths:
        result = call()
        outcomes[label] = getattr(result, "status_code", result)
        after = published_checksum(pages=False)  # the rows after each path, pages at the end
        changed[label] = sorted(key for key in after if before[key] != after[key])
        PATHS_TRIED.append(label)
    assert {label: diff for label, diff in changed.items() if diff} == {}
    assert published_checksum() == before
    assert {
        label: outcome
        for (label, _call, expected), outcome in zip(paths, outcomes.values(), strict=True)
        if outcome not in expected
    } == {}
    assert len(paths) == 73
    assert AssessmentCycle.objects.filter(year=2023).exists()  # the copy was made


def test_admin_shows_a_published_set_read_only_and_offers_no_publication_add(
    world, people, published
):
    root = site(people["root"])
    cset = published.criteria_set
    page = root.get(f"/admin/rankings/criteriaset/{cset.pk}/change/").content.decode()
    assert 'name="max_points"' not in page  # read-only view: no inputs
    assert "Xem bộ tiêu chí" in page or "View" in page
    unpublished = world.cycle_2021.criteria_set.copies.create(
        province=world.province,
        block=world.districts,
        name="Bản sao",
        slug="ban-sao",
        max_points=Decimal(40),
    )
    editable = root.get(f"/admin/rankings/criteriaset/{unpublished.pk}/change/").content.decode()
    assert 'name="max_points"' in editable
    listing = root.get("/admin/rankings/publication/").content.decode()
    assert "/admin/rankings/publication/add/" not in listing
    refused = root.post(
        "/admin/rankings/criterion/add/",
        {
            "criteria_set": cset.pk,
            "group": cset.groups.first().pk,
            "code": "9.9",
            "name": "Mới",
            "max_points": "5",
            "rule": "direct",
            "params": "{}",
            "order": "9",
        },
    )
    assert "đã được dùng cho kết quả công bố" in refused.content.decode()


def test_the_first_correction_is_labelled_lan_1(world, people):
    from rankings.cycles import services

    services.cycle_publish(
        cycle=world.cycle_2021,
        decision_number="201/QĐ-UBND",
        decision_date=datetime.date(2022, 6, 1),
        reason="Sai số liệu tiêu chí 1.2 của huyện Cát",
    )
    page_cache.clear()
    html = Client().get("/mau/2021/districts/").content.decode()
    assert "đính chính lần 1" in html and "đính chính lần 2" not in html
    assert "Đính chính lần 1: Quyết định số 201/QĐ-UBND" in html
