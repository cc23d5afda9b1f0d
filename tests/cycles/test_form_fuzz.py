"""Generated values posted to every staff form and every API write: no answer is a 500.

Run it on PostgreSQL (DATABASE_URL=postgres://…), the production database, where a value
past a column's limit or a NUL character is an error of the database. Each test counts its
requests in `REQUESTS`; `FUZZ_EXAMPLES` (default 25) sets how many generated bodies each
target gets. The cycle is open (2022 districts, the 2021 set: 1.1 direct /10, 1.2 ratio,
2.1 direct /20), An has self-assessed 1.1 and 1.2, so every write reaches its validation.
"""

import os
from collections import Counter
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from rest_framework.test import APIClient

from rankings.cycles import assessments
from rankings.models import AssessmentCycle, CycleState, Membership, Role
from tests.world import open_2022

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REQUESTS: Counter = Counter()
ERRORS: Counter = Counter()

SITE = "/quan-ly/mau/2022/districts/"
API = "/api/v1/cycles/mau/2022/districts/"

# Values people type and values attackers send: numbers past every column's limit,
# exponents, NaN, the decimal comma, long and empty text, NUL and other control bytes,
# dates in the wrong shape, and Vietnamese text.
NUMBERS = st.sampled_from(
    [
        "9999999999999",
        "9" * 40,
        "1e309",
        "-1e309",
        "1e-400",
        "NaN",
        "Infinity",
        "-1",
        "0",
        "0,5",
        "1 000,25",
        "999999999999.999",
        "12.3456",
        "0x10",
        "",
    ]
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="aăâđêôơưáàạảãAĐ0123456789 ,.-/", min_size=190, max_size=320),
    st.sampled_from(["\x00", "a\x00b", "\ud7ff", "‮", "<script>", "2023-02-31", "31/12/2023"]),
)
# Well-formed values too, so a body often gets past its first check to the next one.
PLAIN = st.sampled_from(
    [
        *("1", "2", "3", "1.1", "1.2", "2023-01-02", "2030-12-31", "2022", "on", "x" * 61),
        *("accepted", "adjusted", "returned", "review", "reopen", "approve", "save", "submit"),
        *("https://example.vn/" + "a" * 190, "https://example.vn/b.pdf", "Sửa số liệu"),
    ]
)
VALUE = st.one_of(NUMBERS, TEXT, PLAIN, st.integers().map(str), st.floats().map(str))


def fields(*names):
    return st.dictionaries(st.sampled_from(names), VALUE, max_size=len(names))


JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),  # what a JSON encoder can send
    st.decimals(allow_nan=False).map(str),
    NUMBERS,
    TEXT,
    PLAIN,
)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def json_body(*names):
    return st.one_of(st.dictionaries(st.sampled_from(names), JSON, max_size=len(names)), JSON)


@pytest.fixture
def cycle(world):
    cycle = open_2022(world)
    assessments.self_assessment_save(
        cycle=cycle,
        agency=world.an,
        inputs={
            "1.1": assessments.RawInput(value=Decimal(8)),
            "1.2": assessments.RawInput(value=Decimal(3), denominator=Decimal(4)),
        },
        user=None,
    )
    return cycle


@pytest.fixture
def clients(world):
    made = {}
    for name, role, agency in (
        ("reporter", Role.REPORTER, world.an),
        ("head", Role.HEAD, world.an),
        ("editor", Role.EDITOR, None),
        ("reviewer", Role.REVIEWER, None),
        ("approver", Role.APPROVER, None),
    ):
        user = get_user_model().objects.create_user(name, "", "x")
        Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
        site = Client(raise_request_exception=False)
        site.force_login(user)
        api = APIClient(raise_request_exception=False)
        api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
        made[name], made[f"api-{name}"] = site, api
    return made


def record(target: str, response) -> None:
    REQUESTS[target] += 1
    if response.status_code >= 500:
        ERRORS[target] += 1
    assert response.status_code < 500, (target, response.content[:300])


SELF = SITE + "don-vi/an/tu-danh-gia/"
SELF_FIELDS = ("v-1.1", "v-1.2", "d-1.2", "v-2.1", "c-1.1", "ver-1.1")
EVIDENCE_FIELDS = ("criterion", "title", "document_number", "issued_on", "summary", "url")
REVIEW_FIELDS = ("criterion", "action", "value", "denominator", "choice", "comment", "version")
OPEN_FIELDS = ("source", "year", "submission_deadline", "data_from", "data_to")
PUBLISH_FIELDS = ("decision_number", "decision_date", "signer", "reason", "preview")


@given(data=fields(*SELF_FIELDS))
@FUZZ
def test_self_assessment_form(clients, cycle, data):
    record("form: self-assessment save", clients["reporter"].post(SELF, {"action": "save", **data}))


@given(data=fields(*EVIDENCE_FIELDS))
@FUZZ
def test_evidence_form(clients, cycle, data):
    response = clients["reporter"].post(SELF, {"action": "evidence", **data})
    record("form: evidence", response)


@given(action=VALUE)
@FUZZ
def test_submit_and_state_forms(clients, cycle, action):
    record("form: self-assessment action", clients["head"].post(SELF, {"action": action}))
    record("form: cycle state", clients["editor"].post(SITE + "trang-thai/", {"action": action}))


@given(data=fields(*REVIEW_FIELDS))
@FUZZ
def test_review_form(clients, cycle, data):
    response = clients["reviewer"].post(SITE + "don-vi/an/tham-dinh/", data)
    record("form: review", response)


@given(data=fields(*OPEN_FIELDS, "confirm_past_deadline"))
@FUZZ
def test_cycle_open_form(clients, cycle, data):
    record("form: open a cycle", clients["editor"].post("/quan-ly/mau/mo-ky/", data))


@given(data=fields(*PUBLISH_FIELDS))
@FUZZ
def test_publish_form(clients, cycle, data):
    AssessmentCycle.objects.filter(pk=cycle.pk).update(state=CycleState.APPROVED)
    record("form: publish", clients["approver"].post(SITE + "cong-bo/", data))


@given(name=TEXT, content=st.binary(max_size=2000), reason=VALUE, digest=VALUE)
@FUZZ
def test_import_form(clients, cycle, name, content, reason, digest):
    from django.core.files.uploadedfile import SimpleUploadedFile

    editor = clients["editor"]
    upload = SimpleUploadedFile((name or "x")[:100] + ".csv", content)
    record("form: import upload", editor.post(SITE + "nhap-lieu/", {"file": upload}))
    confirm = {"confirm": "1", "digest": digest, "format": "csv", "reason": reason}
    record("form: import confirm", editor.post(SITE + "nhap-lieu/", confirm))


MANAGE = {
    "deadline": ("deadline", "reason", "confirm_past"),
    "extend": ("agency", "until", "reason"),
    "reopen": ("agency", "until", "reason"),
    "end": ("how", "reason"),
    "exclude": ("agency", "reason", "correction"),
    "include": ("agency", "correction"),
}


@given(
    action=st.sampled_from([*MANAGE, "x"]), data=fields(*{f for fs in MANAGE.values() for f in fs})
)
@FUZZ
def test_cycle_management_forms(clients, cycle, action, data):
    body = {"action": action, **{f"{action}-{key}": value for key, value in data.items()}}
    response = clients["editor"].post(SITE + "dieu-hanh/", body)
    record(f"form: manage ({action})", response)
    AssessmentCycle.objects.filter(pk=cycle.pk).update(state=CycleState.OPEN)  # un-archive


# --- The API ----------------------------------------------------------------------------


@given(body=json_body("value", "denominator", "choice"), stage=VALUE)
@FUZZ
def test_api_score_put(clients, cycle, body, stage):
    for who, where in (("api-reporter", "self"), ("api-editor", "final")):
        response = clients[who].put(
            API + f"scores/an/1.2/?stage={where}", body, format="json", HTTP_IF_MATCH="*"
        )
        record(f"api: score PUT ({where})", response)
    odd = clients["api-editor"].put(API + "scores/an/1.1/", {"stage": stage}, format="json")
    record("api: score PUT (stage)", odd)


@given(body=json_body("action", "value", "denominator", "choice", "comment"))
@FUZZ
def test_api_review(clients, cycle, body):
    response = clients["api-reviewer"].post(API + "scores/an/1.1/review/", body, format="json")
    record("api: review", response)


@given(body=json_body("title", "document_number", "issued_on", "summary", "url"))
@FUZZ
def test_api_evidence(clients, cycle, body):
    response = clients["api-reporter"].post(API + "scores/an/1.1/evidence/", body, format="json")
    record("api: evidence", response)


@given(body=json_body("action"), publish=json_body(*PUBLISH_FIELDS))
@FUZZ
def test_api_transitions_publication_and_submission(clients, cycle, body, publish):
    record(
        "api: transition",
        clients["api-editor"].post(API + "transitions/", body, format="json"),
    )
    record(
        "api: publication",
        clients["api-approver"].post(API + "publications/", publish, format="json"),
    )
    record("api: submission", clients["api-head"].post(API + "agencies/an/submission/"))


@given(content=st.binary(max_size=2000), dry_run=VALUE, reason=VALUE)
@FUZZ
def test_api_import(clients, cycle, content, dry_run, reason):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"file": SimpleUploadedFile("d.csv", content), "dry_run": dry_run, "reason": reason}
    response = clients["api-editor"].post(API + "imports/", body, format="multipart")
    record("api: import", response)


@given(
    deadline=json_body("deadline", "reason", "confirm_past"),
    extension=json_body("until", "reason"),
    end=json_body("reason"),
    exclusion=json_body("reason", "correction"),
)
@FUZZ
def test_api_cycle_management(clients, cycle, deadline, extension, end, exclusion):
    editor = clients["api-editor"]
    for target, path, body in (
        ("api: deadline", "deadline/", deadline),
        ("api: extension", "agencies/an/extension/", extension),
        ("api: reopen", "agencies/an/reopen/", extension),
        ("api: archive", "archive/", end),
    ):
        record(target, editor.post(API + path, body, format="json"))
    record("api: exclusion", editor.put(API + "agencies/an/exclusion/", exclusion, format="json"))
    correction = exclusion.get("correction", "") if isinstance(exclusion, dict) else ""
    inclusion = API + "agencies/an/exclusion/?" + urlencode({"correction": str(correction)})
    record("api: inclusion", editor.delete(inclusion))
    AssessmentCycle.objects.filter(pk=cycle.pk).update(state=CycleState.OPEN)  # un-archive


def test_zz_fuzz_counts_are_reported(capsys):
    """The tally of this module (when run whole): requests per target and 500s."""
    with capsys.disabled():
        total = sum(REQUESTS.values())
        print(f"\nform/API fuzz: {total} requests, {sum(ERRORS.values())} answers of 500")
        for target, count in sorted(REQUESTS.items()):
            print(f"  {target}: {count} requests, {ERRORS[target]} × 500")
    assert sum(ERRORS.values()) == 0
