"""Access control, every URL pattern × every role × every method that matters.

The expectation table `MATRIX` is data: URL name (or the route of an unnamed pattern) →
the calls made to it, each with the outcome expected for every role. Outcomes are a status
code, `LOGIN` (302 to the site's login page) or `ADMIN_LOGIN` (302 to the admin's). A URL
pattern with no entry fails `test_every_url_pattern_has_an_access_decision`, so a new view
cannot ship without someone deciding who may use it.

The admin is one family (`ADMIN`), not 140 entries. Anonymous visitors and every role
without `is_staff` (all our roles: a membership never makes a user staff) are sent to the
admin's login page, for GET and POST alike, and change nothing; the superuser gets the
admin's own answers (`admin_target`). Every admin pattern is called by anonymous, the
provincial administrator and the superuser; every role calls a sample of admin pages
(`ADMIN_SAMPLE`). The superuser's admin writes are Django's business, not exercised here.

The world: province "mau" with its 2021 district cycle published and a 2022 cycle open
(agency A = An, B = Bình, each with self-assessed scores, evidence, a reviewer's comment,
a final score and a notice, all carrying a secret marker). Every call runs in a savepoint
that is rolled back, so every call sees that same world. After every call:

- a call expected to be refused, and every GET, leaves the footprint (scores, evidence,
  submissions, publications, results, cycles, memberships, users, history) unchanged;
- a call by an agency's own role changes no other agency's footprint;
- a response to a role that may not read an agency's drafts never contains its marker.
"""

import copy
import datetime
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from knox.models import AuthToken

from agencies.models import Province
from api.workflow import score_etag
from rankings.cycles import assessments
from rankings.imports.views import ImportProgress
from rankings.jobs.models import Job, JobKind, JobStatus
from rankings.models import (
    AssessmentCycle,
    CycleState,
    Evidence,
    Membership,
    Notification,
    Publication,
    Result,
    Role,
    Score,
    Stage,
    Submission,
)
from tests.imports.test_imports import INPUTS_2021, filled

D = Decimal

ROLES = (
    "anonymous",
    "reporter_a",  # An's reporter
    "head_a",  # An's head (submits)
    "reporter_b",  # Bình's reporter
    "editor",  # ICT staff (Sở TT&TT)
    "reviewer",
    "approver",
    "admin",  # provincial administrator
    "superuser",
    "editor_other",  # ICT staff of another province
)
OWN_ROLES = {"reporter_a": "an", "head_a": "an", "reporter_b": "binh"}
LOGIN, ADMIN_LOGIN = "login", "admin-login"
SUCCESS = {200, 201, 302}

# Secrets in each agency's drafts: who may not read that agency's drafts never sees them.
MARKS = {"an": "BAN-NHAP-CUA-AN-7F3", "binh": "BAN-NHAP-CUA-BINH-9C1"}
BLIND_TO = {
    "anonymous": {"an", "binh"},
    "editor_other": {"an", "binh"},
    "reporter_a": {"binh"},
    "head_a": {"binh"},
    "reporter_b": {"an"},
}

PREVIEW = ("editor", "reviewer", "approver", "admin", "superuser")  # drafts of the province
ENTER = ("editor", "admin", "superuser")  # final scores, imports, cycles
REVIEW = ("reviewer", "admin", "superuser")
PUBLISH = ("approver", "superuser")
SETUP = ("admin", "superuser")  # a province's set-up (rankings.setup)
FINAL = PUBLISH + ENTER[:-1]  # the final preview: the approver and ICT staff
EXCLUDE = FINAL  # an agency the decision leaves unranked: the same people
MEMBERS = ("reporter_a", "head_a", "reporter_b", "editor", "reviewer", "approver", "admin")


def outcome(default, allowed=(), ok=None, **roles) -> dict:
    """Every role's expected outcome: `default`, `ok` for `allowed`, then named exceptions."""
    found = dict.fromkeys(ROLES, default)
    found.update(dict.fromkeys(allowed, ok))
    found.update(roles)
    return found


def page(allowed=(), ok=200, refused=403, **roles):
    """A signed-in page: anonymous → login, `allowed` → ok, everybody else → refused; staff
    of another province get the 404 of a missing cycle (rankings.permissions.visible_cycles)."""
    outsider = {"editor_other": 404} if refused == 403 and "editor_other" not in allowed else {}
    return outcome(refused, allowed, ok, **{"anonymous": LOGIN, **outsider, **roles})


def api(allowed=(), ok=200, refused=403, **roles):
    """A workflow operation: anonymous → 401, `allowed` → ok, everybody else → refused,
    another province's staff → 404 as if the cycle did not exist."""
    outsider = {"editor_other": 404} if refused == 403 and "editor_other" not in allowed else {}
    return outcome(refused, allowed, ok, **{"anonymous": 401, **outsider, **roles})


EVERYONE = outcome(200)
SIGNED_IN = page(ROLES)


@dataclass(frozen=True)
class Call:
    """One request to a URL pattern, and the outcome every role must get."""

    method: str
    expect: dict
    kwargs: dict | Callable = field(default_factory=dict)
    query: str = ""
    body: dict | Callable | None = None
    json: bool = False  # an API body sent as JSON (otherwise form/multipart)
    headers: Callable | None = None  # ctx → extra headers (If-Match)
    prepare: Callable | None = None  # ctx → None, before the request (cache state)
    check: Callable | None = None  # (ctx, role, response) → failure message or None
    path: str | None = None  # for unnamed patterns
    label: str = ""


OPEN = {"province": "mau", "year": 2022, "block": "districts"}
PUBLISHED = {"province": "mau", "year": 2021, "block": "districts"}
SCORES = "/api/v1/cycles/mau/2022/districts/scores/"


def at(**kwargs):
    return {**OPEN, **kwargs}


def preview_of(cycle) -> str:
    """The fingerprint of the final preview the publish page shows."""
    from rankings.cycles.final import final_preview

    return final_preview(cycle=cycle).fingerprint()


def evidence_of(ctx, agency: str) -> int:
    """The id of the agency's evidence file (the world gives each agency one)."""
    return Evidence.objects.get(
        score__cycle=ctx.cycle, score__agency_id=ctx.agencies[agency], file__gt=""
    ).pk


def if_match(agency, code, stage):
    def headers(ctx):
        score = Score.objects.get(
            cycle=ctx.cycle, agency__slug=agency, criterion__code=code, stage=stage
        )
        return {"If-Match": score_etag(score)}

    return headers


def upload(ctx):
    return SimpleUploadedFile("diem.xlsx", ctx.import_file)


GOOD = {"action": "save", "v-1.1": "9", "v-1.2": "30", "d-1.2": "50", "v-2.1": "14"}
EVIDENCE_FORM = {
    "action": "evidence",
    "criterion": "1.2",
    "title": "Biên bản kiểm tra",
    "url": "https://example.vn/bien-ban.pdf",
}
CORRECTION = {
    "decision_number": "300/QĐ-UBND",
    "decision_date": "2022-06-01",
    "signer": "Chủ tịch",
    "reason": "Đính chính số liệu",
}
BAD_LINK = {"uidb64": "MQ", "token": "bad-token"}
PROGRESS_TOKEN = "a1b2c3d4e5f6a7b8c9d0"


def own_rows_only(ctx, role, response):
    """An agency's role lists only its own agency's scores, whatever it filters on."""
    if role not in OWN_ROLES or response.status_code != 200:
        return None
    seen = {row["agency"] for row in response.json()["results"]}
    if not seen <= {OWN_ROLES[role]}:
        return f"listed scores of {sorted(seen)}"
    return None


def evidence_file_of(ctx, agency: str) -> dict:
    """The API path arguments of the agency's evidence file (its criterion and id)."""
    evidence = Evidence.objects.select_related("score__criterion").get(
        score__cycle=ctx.cycle, score__agency_id=ctx.agencies[agency], file__gt=""
    )
    return at(agency=agency, code=evidence.score.criterion.code, pk=evidence.pk)


def no_draft_rows(ctx, role, response):
    """A year's published rows only: the open cycle's drafts reach no role, staff included."""
    if response.status_code != 200:
        return f"answered {response.status_code}"
    rows = response.json()["rows"]
    if rows:
        return f"listed {len(rows)} rows of a year with nothing published"
    return None


def editors_progress(ctx):
    key = ImportProgress.key_for(ctx.users["editor"], ctx.cycle, PROGRESS_TOKEN)
    cache.set(key, {"phase": "parse", "done": 1, "total": 3, "state": "running"})


TARGETS = ("reporter_a", "head_a", "reporter_b", "editor", "admin", "superuser")
AN_TARGET = ("reporter_a", "head_a", "editor", "admin", "superuser")  # B's staff: a 404


def an_target(ctx) -> dict:
    """The path of a target of An (one, made on first use; Target is not in the footprint)."""
    from rankings.targets.models import Target

    found, _ = Target.objects.get_or_create(
        province=ctx.world.province,
        agency=ctx.world.an,
        indicator="Tỷ lệ văn bản ký số",
        year=2025,
        defaults={"measure": "ratio", "criterion_code": "1.2", "value": D(80)},
    )
    return {"province": "mau", "pk": found.pk}


MATRIX: dict[str, list[Call]] = {
    # --- the public site: published data only, for everyone -----------------------------
    "home": [Call("GET", EVERYONE)],
    "methodology-index": [Call("GET", EVERYONE)],
    "methodology": [Call("GET", EVERYONE, {"slug": "mau-huyen-2021"})],
    "methodology-export": [Call("GET", EVERYONE, {"slug": "mau-huyen-2021", "fmt": "csv"})],
    "national": [Call("GET", outcome(404), label="no national ranking published")],
    "province": [Call("GET", EVERYONE, {"province": "mau"})],
    "compare": [
        Call("GET", EVERYONE, {"province": "mau", "year": 2021}, query="agency=an&agency=binh")
    ],
    "compare-export": [
        Call(
            "GET",
            EVERYONE,
            {"province": "mau", "year": 2021, "fmt": "csv"},
            query="agency=an&agency=binh",
        )
    ],
    "leaderboard": [
        Call("GET", EVERYONE, PUBLISHED),
        Call("GET", outcome(404), OPEN, label="the open cycle: no public page, even for staff"),
    ],
    "leaderboard-export": [
        Call("GET", EVERYONE, {**PUBLISHED, "fmt": "csv"}),
        Call("GET", outcome(404), {**OPEN, "fmt": "json"}, label="the open cycle"),
    ],
    "annex-document": [
        Call("GET", EVERYONE, {**PUBLISHED, "fmt": "docx"}),
        Call("GET", outcome(404), {**OPEN, "fmt": "docx"}, label="the open cycle"),
    ],
    "agency": [Call("GET", EVERYONE, {"province": "mau", "slug": "binh"})],
    "agency-export": [Call("GET", EVERYONE, {"province": "mau", "slug": "binh", "fmt": "json"})],
    "agency-simulator": [
        Call("GET", EVERYONE, {"province": "mau", "slug": "binh"}),
        Call(
            "GET",
            outcome(403, ("reporter_b",), 200),
            {"province": "mau", "slug": "binh"},
            query="nguon=nhap",
            label="from the draft: Bình's own staff only",
        ),
    ],
    "trends": [Call("GET", EVERYONE, {"province": "mau", "block": "districts"})],
    "trends-export": [
        Call("GET", EVERYONE, {"province": "mau", "block": "districts", "fmt": "csv"})
    ],
    # Embeds, feeds and e-mail alerts (issue #20): public, published data only.
    "embed-leaderboard": [
        Call("GET", EVERYONE, {"lang": "vi", **PUBLISHED}),
        Call("GET", outcome(404), {"lang": "en", **OPEN}, label="the open cycle"),
    ],
    "embed-agency": [Call("GET", EVERYONE, {"lang": "en", "province": "mau", "slug": "binh"})],
    "feed-site": [Call("GET", EVERYONE)],
    "feed-province": [Call("GET", EVERYONE, {"province": "mau"})],
    "feed-agency": [Call("GET", EVERYONE, {"province": "mau", "slug": "binh"})],
    "alert-subscribe-province": [
        Call("GET", EVERYONE, {"province": "mau"}),
        Call("POST", outcome(400), {"province": "mau"}, body={}, prepare=lambda ctx: cache.clear()),
        Call("PUT", outcome(405), {"province": "mau"}),
    ],
    "alert-subscribe-agency": [
        Call(
            "POST",
            outcome(302),
            {"province": "mau", "slug": "binh"},
            body={"email": "ban.doc@example.vn"},
            prepare=lambda ctx: cache.clear(),
        ),
    ],
    "alert-sent": [Call("GET", EVERYONE)],
    "alert-confirm": [Call("GET", outcome(400), {"token": "gia-mao"}, label="a forged link")],
    "alert-unsubscribe": [
        Call("GET", outcome(400), {"token": "gia-mao"}, label="a forged link"),
        Call("POST", outcome(400), {"token": "gia-mao"}, label="a forged link"),
    ],
    "set_language": [
        Call("GET", outcome(302), label="no language change, back to the page"),
        Call("POST", outcome(302), body={"language": "vi", "next": "/"}),
    ],
    "healthz": [Call("GET", EVERYONE), Call("POST", outcome(405))],
    # --- targets (issue 20): public reads; agencies write their own, ICT staff any -----
    "province-targets": [Call("GET", EVERYONE, {"province": "mau"})],
    "province-targets-export": [Call("GET", EVERYONE, {"province": "mau", "fmt": "json"})],
    "agency-targets-export": [
        Call("GET", EVERYONE, {"province": "mau", "slug": "an", "fmt": "csv"})
    ],
    "targets-staff": [Call("GET", page(TARGETS), {"province": "mau"})],
    # --- jobs (issue 21): the province's staff; to anyone else the 404 of a province
    # without jobs; read-only (a POST is 405 once signed in) ---------------------------
    "jobs": [
        Call("GET", page(PREVIEW, refused=404), {"province": "mau"}),
        Call("POST", outcome(405, anonymous=LOGIN), {"province": "mau"}, body={}),
    ],
    "job": [Call("GET", page(PREVIEW, refused=404), lambda ctx: _job_kwargs())],
    "job-status": [Call("GET", page(PREVIEW, refused=404), lambda ctx: _job_kwargs())],
    "target-add": [
        Call("GET", page(TARGETS), {"province": "mau"}),
        Call("POST", page(TARGETS, 400), {"province": "mau"}, body={}, label="an empty form"),
    ],
    "target-import": [
        Call("GET", page(TARGETS), {"province": "mau"}),
        Call("POST", page(TARGETS, 400), {"province": "mau"}, body={}, label="no file"),
    ],
    "target-edit": [
        Call("GET", page(AN_TARGET, reporter_b=404), an_target),
        Call("POST", page(AN_TARGET, 400, reporter_b=404), an_target, body={}),
    ],
    "target-delete": [
        Call("GET", page(AN_TARGET, reporter_b=404), an_target),
        Call("POST", page(AN_TARGET, 302, reporter_b=404), an_target),
    ],
    "api-targets": [
        Call("GET", EVERYONE, query="province=mau"),
        Call("POST", outcome(405), json=True, body={}),
    ],
    # --- accounts ----------------------------------------------------------------------
    # Django's form views take PUT as POST: with no form body, the form is shown again.
    "login": [
        Call("GET", EVERYONE),
        Call("POST", EVERYONE, body={"username": "editor", "password": "wrong"}),
        Call("PUT", EVERYONE),
    ],
    "logout": [Call("GET", outcome(405)), Call("POST", outcome(302))],
    "password_change": [
        Call("GET", SIGNED_IN),
        Call("POST", SIGNED_IN, body={}),
        Call("PUT", SIGNED_IN),
    ],
    "password_change_done": [Call("GET", SIGNED_IN)],
    "password_reset": [
        Call("GET", EVERYONE),
        Call("POST", outcome(302), body={"email": "nobody@example.vn"}),
        Call("PUT", EVERYONE),
    ],
    "password_reset_done": [Call("GET", EVERYONE)],
    "password_reset_confirm": [
        Call("GET", EVERYONE, BAD_LINK, label="a bad link"),
        Call("POST", EVERYONE, BAD_LINK, body={"new_password1": "x"}, label="a bad link"),
        Call("PUT", EVERYONE, BAD_LINK, label="a bad link"),
    ],
    "password_reset_complete": [Call("GET", EVERYONE)],
    "api-token-list": [
        Call("GET", SIGNED_IN, label="one's own tokens (and the province's, for its admin)"),
        Call(
            "POST",
            page(ROLES, 404),
            body={"action": "revoke", "key": "0123456789abcde"},
            label="revoking a token nobody has",
        ),
    ],
    # --- staff pages: the province's roles, by what each may do -------------------------
    "workspace": [Call("GET", SIGNED_IN)],
    "notifications": [Call("GET", SIGNED_IN, label="each user's own notices only")],
    # --- a province's set-up: its provincial administrators (and the superuser) only ------
    "setup-index": [Call("GET", page(ROLES, admin=302), label="one province: straight to it")],
    "setup-pick": [
        Call("GET", page(("superuser",), editor_other=403), label="the operator"),
        Call("POST", page(("superuser",), 400, editor_other=403), body={}, label="no province"),
    ],
    "setup-home": [Call("GET", page(SETUP), {"province": "mau"})],
    "setup-blocks": [
        Call("GET", page(SETUP), {"province": "mau"}),
        Call("POST", page(SETUP, 400), {"province": "mau"}, body={}, label="no name"),
    ],
    "setup-agencies": [
        Call("GET", page(SETUP), {"province": "mau"}),
        Call("POST", page(SETUP, 400), {"province": "mau"}, body={}, label="no file"),
    ],
    "setup-criteria": [
        Call("GET", page(SETUP), {"province": "mau"}),
        Call("POST", page(SETUP, 400), {"province": "mau"}, body={}, label="no file"),
    ],
    "setup-criteria-new": [
        Call("GET", page(SETUP), {"province": "mau"}),
        Call("POST", page(SETUP, 400), {"province": "mau"}, body={}, label="no rows"),
    ],
    "setup-criteria-edit": [
        Call(
            "GET",
            page(SETUP),
            lambda ctx: {"province": "mau", "pk": ctx.world.cycle_2021.criteria_set.pk},
        ),
        Call(
            "POST",
            page(SETUP, 409),
            lambda ctx: {"province": "mau", "pk": ctx.world.cycle_2021.criteria_set.pk},
            body={},
            label="published: read-only",
        ),
    ],
    "setup-criteria-annex": [
        Call(
            "GET",
            page(SETUP),
            lambda ctx: {"province": "mau", "pk": ctx.world.cycle_2021.criteria_set.pk},
        )
    ],
    "setup-criteria-copy": [
        Call(
            "POST",
            page(SETUP, 302),
            lambda ctx: {"province": "mau", "pk": ctx.world.cycle_2021.criteria_set.pk},
        )
    ],
    "setup-staff": [
        Call("GET", page(SETUP), {"province": "mau"}),
        Call("POST", page(SETUP, 400), {"province": "mau"}, body={}, label="no account"),
    ],
    "setup-staff-import": [
        Call("POST", page(SETUP, 400), {"province": "mau"}, body={}, label="no file")
    ],
    "setup-staff-user": [
        Call(
            "POST",
            page(SETUP, 302),
            lambda ctx: {"province": "mau", "pk": ctx.users["reporter_b"].pk},
            body={"action": "none"},
            label="an unknown action changes nothing",
        )
    ],
    "setup-backfill": [
        Call("GET", page(SETUP), {"province": "mau"}),
        Call("POST", page(SETUP, 400), {"province": "mau"}, body={}, label="no table"),
    ],
    "cycle-new": [
        Call("GET", page(ENTER, editor_other=403), {"province": "mau"}),
        Call(
            "POST",
            page(ENTER, 302, editor_other=403),
            {"province": "mau"},
            body=lambda ctx: {"source": ctx.world.cycle_2021.criteria_set.pk, "year": "2023"},
        ),
    ],
    "cycle-state": [
        Call("GET", page(ROLES, 405), OPEN),
        Call("POST", page(ENTER), OPEN, body={"action": "review"}, label="the checklist"),
        Call("POST", page(ENTER, 302), OPEN, body={"action": "review", "confirmed": "1"}),
        Call("POST", page(PUBLISH, 302), OPEN, body={"action": "approve"}, label="approve"),
    ],
    "final-preview": [Call("GET", page(FINAL), OPEN)],
    "accept-remaining": [
        Call("GET", page(ROLES, 405), OPEN),
        Call("POST", page(REVIEW, 302), OPEN, body={}, label="the whole cycle"),
    ],
    "cycle-desk": [Call("GET", page(PREVIEW), OPEN)],
    "cycle-dashboard": [
        Call("GET", page((*ENTER, "approver")), OPEN),
        Call("POST", page(ENTER, 302), OPEN, body={"confirm": "on"}, label="remind the late"),
    ],
    "cycle-manage": [
        Call("GET", page(EXCLUDE), OPEN),
        Call(
            "POST",
            page(EXCLUDE, 302),
            OPEN,
            body={"action": "exclude", "exclude-agency": "binh", "exclude-reason": "Theo QĐ"},
            label="exclude Bình in the decision's words",
        ),
        Call(
            "POST",
            page(ENTER, 302),
            OPEN,
            body={"action": "deadline", "deadline-deadline": "2099-01-01"},
            label="move the deadline",
        ),
        Call(
            "POST",
            page(ENTER, 302),
            OPEN,
            body={
                "action": "extend",
                "extend-agency": "an",
                "extend-until": "2099-02-01",
                "extend-reason": "Đổi cán bộ",
            },
            label="extend An's",
        ),
    ],
    "entry-template": [Call("GET", page(ENTER), OPEN)],
    "draft-leaderboard": [Call("GET", page(PREVIEW), OPEN)],
    "publish": [
        Call("GET", page(PUBLISH), OPEN),
        Call("POST", page(PUBLISH, 400), OPEN, body=CORRECTION, label="not approved yet"),
        Call(
            "POST",
            page(PUBLISH, 302),
            PUBLISHED,
            body=lambda ctx: {**CORRECTION, "preview": preview_of(ctx.world.cycle_2021)},
            label="a correction",
        ),
    ],
    "score-import": [
        Call("GET", page(ENTER), OPEN),
        Call("POST", page(ENTER), OPEN, body=lambda ctx: {"file": upload(ctx)}, label="preview"),
    ],
    "score-import-progress": [
        Call(
            "GET",
            page(ENTER, 404, editor=200),
            at(token=PROGRESS_TOKEN),
            prepare=editors_progress,
            label="the editor's own import; nobody else reads its token",
        )
    ],
    "self-assessment": [
        Call("GET", page(("reporter_a", "head_a")), at(agency="an")),
        Call("GET", page(("reporter_b",)), at(agency="binh"), label="B's page"),
        Call("POST", page(("reporter_a", "head_a"), 302), at(agency="an"), body=GOOD),
        Call("POST", page(("reporter_b",), 302), at(agency="binh"), body=GOOD, label="B's page"),
        Call(
            "POST",
            page(("reporter_a", "head_a"), 302),
            at(agency="an"),
            body=lambda ctx: {**GOOD, "agency": "binh", "agency_id": ctx.world.binh.pk},
            label="B named in the form, posted to A's page",
        ),
        Call("POST", page(("reporter_a", "head_a"), 302), at(agency="an"), body=EVIDENCE_FORM),
        Call(
            "POST",
            page(("reporter_b",), 302),
            at(agency="binh"),
            body=EVIDENCE_FORM,
            label="evidence to B's page",
        ),
        Call(
            "POST",
            page(("head_a",), 200),
            at(agency="an"),
            body={"action": "submit"},
            label="submit, not yet confirmed: the checklist",
        ),
        Call(
            "POST",
            page(("head_a",), 302),
            at(agency="an"),
            body={"action": "submit", "confirmed": "1"},
            label="submit, confirmed",
        ),
    ],
    "self-assessment-submit": [
        # Opened again (history, a bookmark): back to the page, which decides who sees it.
        Call("GET", page(ROLES[1:], 302), at(agency="an")),
        Call(
            "POST",
            page(("head_a",), 200),
            at(agency="an"),
            body={"action": "submit"},
            label="not yet confirmed: the checklist",
        ),
        Call(
            "POST",
            page(("head_a",), 302),
            at(agency="an"),
            body={"action": "submit", "confirmed": "1"},
            label="confirmed",
        ),
    ],
    "review": [
        Call("GET", page(REVIEW), at(agency="an")),
        Call(
            "POST",
            page(REVIEW, 302),
            at(agency="an"),
            body={"criterion": "1.2", "action": "accepted"},
        ),
    ],
    "evidence-file": [
        Call(
            "GET",
            page(("reporter_a", "head_a", *PREVIEW)),
            lambda ctx: at(agency="an", pk=evidence_of(ctx, "an")),
        ),
        Call(
            "GET",
            page(("reporter_b", *PREVIEW)),
            lambda ctx: at(agency="binh", pk=evidence_of(ctx, "binh")),
            label="B's evidence file",
        ),
    ],
    "minutes-document": [
        Call("GET", page(("reporter_a", "head_a", *PREVIEW)), at(agency="an", fmt="docx")),
        Call(
            "GET",
            page(("reporter_b", *PREVIEW)),
            at(agency="binh", fmt="docx"),
            label="B's minutes",
        ),
    ],
    "score-history": [
        Call("GET", page(("reporter_a", "head_a", *PREVIEW)), at(agency="an")),
        Call("GET", page(("reporter_b", *PREVIEW)), at(agency="binh"), label="B's history"),
    ],
    # --- the read API: published data, anonymous; it takes no writes -------------------
    "api-provinces": [Call("GET", EVERYONE), Call("POST", outcome(405), json=True, body={})],
    "api-blocks": [Call("GET", EVERYONE), Call("POST", outcome(405), json=True, body={})],
    "api-agencies": [Call("GET", EVERYONE), Call("POST", outcome(405), json=True, body={})],
    "api-agency": [
        Call("GET", EVERYONE, lambda ctx: {"pk": ctx.world.binh.pk}),
        Call("PUT", outcome(405), lambda ctx: {"pk": ctx.world.binh.pk}, json=True, body={}),
    ],
    "api-agency-history": [Call("GET", EVERYONE, lambda ctx: {"pk": ctx.world.binh.pk})],
    "api-criteria-sets": [Call("GET", EVERYONE)],
    "api-criteria-set": [Call("GET", EVERYONE, {"slug": "mau-huyen-2021"})],
    "api-cycles": [Call("GET", EVERYONE)],
    "api-rankings": [
        Call("GET", EVERYONE, query="province=mau&year=2021&block=districts"),
        Call(
            "GET",
            outcome(404),
            query="province=mau&year=2022&block=districts",
            label="the open cycle",
        ),
    ],
    "api-ranking-criteria": [
        Call("GET", EVERYONE, query="province=mau&year=2021&block=districts&agency=binh"),
        Call(
            "GET",
            outcome(404),
            query="province=mau&year=2022&block=districts&agency=binh",
            label="the open cycle",
        ),
    ],
    "api-results": [
        Call("GET", EVERYONE, query="year=2021&province=mau"),
        Call("GET", EVERYONE, query="year=2022", check=no_draft_rows, label="the open year"),
        Call("POST", outcome(405), json=True, body={}),
    ],
    "api-simulator": [
        Call("POST", EVERYONE, json=True, body=lambda ctx: {"agency": ctx.world.binh.pk}),
        Call(
            "POST",
            outcome(403, ("reporter_b",), 200),
            json=True,
            body=lambda ctx: {"agency": ctx.world.binh.pk, "source": "draft"},
            label="from the draft: Bình's own staff only",
        ),
        Call("GET", outcome(405)),
    ],
    "api-schema": [Call("GET", EVERYONE)],
    "api-docs": [Call("GET", EVERYONE)],
    "api-redoc": [Call("GET", EVERYONE)],
    r"api/v1/[\s\S]*/$": [Call("GET", outcome(404), path="/api/v1/khong-co/")],
    # --- the workflow API: token, scoped as the pages are -------------------------------
    "api-me": [Call("GET", api(ROLES))],
    "api-tokens": [Call("GET", api(ROLES))],
    "api-token": [
        Call("DELETE", api(ROLES, 404), {"key": "0123456789abcde"}, label="nobody's token")
    ],
    "api-cycle": [Call("GET", api((*MEMBERS, "superuser")), OPEN)],
    "api-transitions": [
        Call("POST", api(ENTER), OPEN, json=True, body={"action": "review"}),
        Call("POST", api(PUBLISH, 409), OPEN, json=True, body={"action": "approve"}),
    ],
    "api-publish": [
        Call("GET", api(FINAL, 409), OPEN, label="no final preview before review"),
        Call("GET", api(FINAL), PUBLISHED, label="the final preview"),
        Call(
            "POST",
            api(PUBLISH, 409),
            OPEN,
            json=True,
            body={**CORRECTION, "preview": "0" * 16},
            label="not approved",
        ),
        Call(
            "POST",
            api(PUBLISH, 201),
            PUBLISHED,
            json=True,
            body=lambda ctx: {**CORRECTION, "preview": preview_of(ctx.world.cycle_2021)},
            label="correction",
        ),
    ],
    "api-import": [Call("POST", api(ENTER), OPEN, body=lambda ctx: {"file": upload(ctx)})],
    "api-scores": [
        Call("GET", api((*MEMBERS, "superuser")), OPEN, check=own_rows_only),
        Call(
            "GET",
            api((*MEMBERS, "superuser")),
            OPEN,
            query="agency=binh&stage=self",
            check=own_rows_only,
            label="A filters on B",
        ),
    ],
    "api-score": [
        Call(
            "GET",
            api(("reporter_a", "head_a", *PREVIEW)),
            at(agency="an", code="1.2"),
            query="stage=self",
        ),
        Call(
            "GET",
            api(("reporter_b", *PREVIEW)),
            at(agency="binh", code="1.2"),
            query="stage=verified",
            label="B's verified score",
        ),
        Call(
            "PUT",
            api(("reporter_a", "head_a")),
            at(agency="an", code="1.2"),
            query="stage=self",
            json=True,
            body={"value": "31", "denominator": "50"},
            headers=if_match("an", "1.2", Stage.SELF),
        ),
        Call(
            "PUT",
            api(("reporter_b",)),
            at(agency="binh", code="1.2"),
            query="stage=self",
            json=True,
            body={"value": "31", "denominator": "50"},
            headers=if_match("binh", "1.2", Stage.SELF),
            label="B's score with B's current ETag",
        ),
        Call(
            "PUT",
            api(ENTER),
            at(agency="binh", code="1.1"),
            query="stage=final",
            json=True,
            body={"value": "9"},
            headers=if_match("binh", "1.1", Stage.FINAL),
            label="B's final score",
        ),
    ],
    "api-score-review": [
        Call(
            "POST",
            api(REVIEW),
            at(agency="binh", code="1.2"),
            json=True,
            body={"action": "accepted"},
        )
    ],
    "api-evidence-file": [
        Call("GET", api(("reporter_a", "head_a", *PREVIEW)), lambda c: evidence_file_of(c, "an")),
        Call(
            "GET",
            api(("reporter_b", *PREVIEW)),
            lambda c: evidence_file_of(c, "binh"),
            label="B's evidence file",
        ),
    ],
    "api-evidence": [
        Call("GET", api(("reporter_a", "head_a", *PREVIEW)), at(agency="an", code="1.2")),
        Call("GET", api(("reporter_b", *PREVIEW)), at(agency="binh", code="1.2"), label="B's"),
        Call(
            "POST",
            api(("reporter_b",), 201),
            at(agency="binh", code="1.2"),
            body={"title": "Biên bản", "url": "https://example.vn/bb.pdf"},
            label="to B's score",
        ),
    ],
    "api-deadline": [Call("POST", api(ENTER), OPEN, json=True, body={"deadline": "2099-01-01"})],
    "api-extension": [
        Call(
            "POST",
            api(ENTER),
            at(agency="an"),
            json=True,
            body={"until": "2099-02-01", "reason": "x"},
        )
    ],
    "api-exclusion": [
        Call("PUT", api(EXCLUDE), at(agency="binh"), json=True, body={"reason": "Theo QĐ"}),
        Call("DELETE", api(EXCLUDE, 409), at(agency="binh"), label="not excluded"),
    ],
    "api-reopen": [
        Call(
            "POST",
            api(ENTER, 409),
            at(agency="an"),
            json=True,
            body={"reason": "x"},
            label="not submitted",
        )
    ],
    "api-cancel": [
        Call("POST", api(ENTER, 409), OPEN, json=True, body={"reason": "x"}, label="holds data")
    ],
    "api-archive": [Call("POST", api(ENTER), OPEN, json=True, body={"reason": "Mở nhầm"})],
    "api-submission": [
        Call("POST", api(("head_a",)), at(agency="an")),
        Call("POST", api(()), at(agency="binh"), label="B's, by nobody here"),
    ],
}

# The admin, as one family: see the module docstring.
ADMIN = "admin:*"
MATRIX[ADMIN] = []  # calls generated from the patterns by `admin_calls`


def walk(patterns, prefix="", namespace=""):
    """(route, key, view) of every URL pattern; routes are spelled as `ResolverMatch.route`,
    keys are the (namespaced) URL name, or the route of an unnamed pattern."""
    for pattern in patterns:
        part = str(pattern.pattern).removeprefix("^")
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, prefix + part, inner)
        elif pattern.name:
            name = (f"{namespace}:" if namespace else "") + pattern.name
            yield prefix + part, name, pattern.callback
        else:
            yield prefix + part, prefix + part, pattern.callback


def url_patterns() -> dict[str, str]:
    """Route → key of every URL pattern of the project."""
    return {route: key for route, key, _view in walk(get_resolver().url_patterns)}


def test_every_url_pattern_has_an_access_decision():
    routes = url_patterns()
    keys = {key for route, key in routes.items() if not route.startswith("admin/")}
    missing = sorted(keys - MATRIX.keys())
    stale = sorted(MATRIX.keys() - keys - {ADMIN})
    assert not missing, f"URL patterns with no access decision in MATRIX: {missing}"
    assert not stale, f"MATRIX entries for URL patterns that no longer exist: {stale}"


def test_every_api_operation_and_view_method_is_called():
    """Each operation of the OpenAPI schema, and each method a class-based view implements,
    has a call in MATRIX (a new PUT on an old URL needs a decision too)."""
    from drf_spectacular.generators import SchemaGenerator

    called = {(key, call.method) for key, calls in MATRIX.items() for call in calls}
    schema = SchemaGenerator().get_schema(request=None, public=True)
    sample = {"id": "1", "year": "2022"}
    needed = set()
    for template, operations in schema["paths"].items():
        path = re.sub(r"{(\w+)}", lambda m: sample.get(m[1], "x"), template)
        key = url_patterns()[resolve(path).route]
        needed |= {(key, method.upper()) for method in operations if method != "parameters"}
    for route, key, callback in walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None)
        if view is not None and not route.startswith("admin/"):
            implemented = {"get", "post", "put", "patch", "delete"} & set(dir(view))
            needed |= {(key, method.upper()) for method in implemented}
    assert not sorted(needed - called), f"operations with no call: {sorted(needed - called)}"


# --- the world --------------------------------------------------------------------------


@dataclass
class Ctx:
    world: object
    cycle: AssessmentCycle
    users: dict
    tokens: dict
    cookies: dict
    clients: dict
    agencies: dict
    import_file: bytes


def _job_kwargs() -> dict:
    return {"province": "mau", "pk": Job.objects.get(key="access-matrix").pk}


@pytest.fixture
def ctx(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
        state=CycleState.OPEN,
        submission_deadline=datetime.date.today() + datetime.timedelta(days=10),
    )
    Job.objects.create(  # a finished recompute of the open cycle, for the jobs pages
        kind=JobKind.RECOMPUTE,
        key="access-matrix",
        province=world.province,
        cycle=cycle,
        status=JobStatus.DONE,
    )
    other = Province.objects.create(code="98", name="Tỉnh Khác", slug="khac")
    User = get_user_model()
    setup = {
        "reporter_a": (Role.REPORTER, world.an, world.province),
        "head_a": (Role.HEAD, world.an, world.province),
        "reporter_b": (Role.REPORTER, world.binh, world.province),
        "editor": (Role.EDITOR, None, world.province),
        "reviewer": (Role.REVIEWER, None, world.province),
        "approver": (Role.APPROVER, None, world.province),
        "admin": (Role.ADMIN, None, world.province),
        "editor_other": (Role.EDITOR, None, other),
    }
    users = {"anonymous": None, "superuser": User.objects.create_superuser("superuser", "", "x")}
    for name, (role, agency, province) in setup.items():
        users[name] = User.objects.create_user(name, "", "x")
        Membership.objects.create(user=users[name], role=role, province=province, agency=agency)
    tokens = {name: AuthToken.objects.create(user=u)[1] for name, u in users.items() if u}
    cookies = {}  # one session per role, made once: a call that logs out is rolled back
    for name, user in users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies[name] = client.cookies

    raw = assessments.RawInput
    for agency, reporter in ((world.an, "reporter_a"), (world.binh, "reporter_b")):
        mark = MARKS[agency.slug]
        assessments.self_assessment_save(
            cycle=cycle,
            agency=agency,
            user=users[reporter],
            inputs={"1.1": raw(D(8)), "1.2": raw(D(35), D(50)), "2.1": raw(D(15))},
        )
        assessments.evidence_add(
            cycle=cycle,
            agency=agency,
            criterion_code="1.2",
            user=users[reporter],
            title=f"Minh chứng {mark}",
            document_number=mark,
            url="https://example.vn/minh-chung.pdf",
            file=SimpleUploadedFile(f"bien-ban-{agency.slug}.pdf", f"%PDF-1.4 {mark}".encode()),
        )
        assessments.score_review(
            cycle=cycle,
            agency=agency,
            code="1.2",
            action="adjusted",
            comment=f"Điều chỉnh {mark}",
            inputs=raw(D(30), D(50)),
            user=users["reviewer"],
        )
        assessments.score_enter(
            cycle=cycle, agency=agency, code="1.1", raw=raw(D(7)), user=users["editor"]
        )
        Notification.objects.create(user=users[reporter], subject="Thông báo", body=mark)
    agencies = {"an": world.an.pk, "binh": world.binh.pk}
    # One client per role: a new Client loads the middleware again (WhiteNoise scans files).
    clients = {name: Client(raise_request_exception=False) for name in ROLES}
    return Ctx(world, cycle, users, tokens, cookies, clients, agencies, filled(cycle, INPUTS_2021))


# --- the calls --------------------------------------------------------------------------


FOOTPRINT = {
    "score": Score,
    "score_history": Score.history.model,
    "evidence": Evidence,
    "evidence_history": Evidence.history.model,
    "submission": Submission,
    "publication": Publication,
    "result": Result,
    "cycle": AssessmentCycle,
    "membership": Membership,
    "user": get_user_model(),
}


def footprint() -> dict[str, list[dict]]:
    """Every row a write could change (raw SQL: thousands of calls, small tables)."""
    found = {}
    with connection.cursor() as cursor:
        for name, model in FOOTPRINT.items():
            table = connection.ops.quote_name(model._meta.db_table)
            key = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {key}")
            columns = [column[0] for column in cursor.description]
            found[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return found


def agency_part(found: dict, agency_id: int) -> dict:
    """One agency's drafts in a footprint: its scores, their evidence, its submission."""
    scores = {row["id"] for row in found["score"] if row["agency_id"] == agency_id}
    scores |= {row["id"] for row in found["score_history"] if row["agency_id"] == agency_id}
    return {
        "score": [r for r in found["score"] if r["agency_id"] == agency_id],
        "score_history": [r for r in found["score_history"] if r["agency_id"] == agency_id],
        "evidence": [r for r in found["evidence"] if r["score_id"] in scores],
        "evidence_history": [r for r in found["evidence_history"] if r["score_id"] in scores],
        "submission": [r for r in found["submission"] if r["agency_id"] == agency_id],
    }


# Roles that are not staff are all the same to the admin (it asks `is_staff`, never a
# membership): every admin pattern is called by anonymous, the provincial administrator
# (the role most likely to be mistaken for an admin user) and the superuser; every role
# calls the sample, the pages that would matter most if a role got in.
ADMIN_EVERY_PATTERN = ("anonymous", "admin", "superuser")
ADMIN_SAMPLE = {
    "admin:index",
    "admin:auth_user_change",
    "admin:rankings_membership_add",
    "admin:rankings_score_change",
}


def admin_calls(ctx) -> list[tuple[str, str, Call]]:
    """(key, path, call) for every admin pattern: GET, and POST by those who are not staff."""
    calls = []
    for route, key in url_patterns().items():
        if not route.startswith("admin/"):
            continue
        path, superuser = admin_target(route, key, ctx)
        roles = ROLES if key in ADMIN_SAMPLE else ADMIN_EVERY_PATTERN
        get = outcome(None, roles, ADMIN_LOGIN, superuser=superuser)
        post = outcome(None, roles, ADMIN_LOGIN, superuser=None)  # the admin's own business
        if key == "admin:login":  # the form; a wrong password shows it again
            get = outcome(None, roles, 200, superuser=302)  # signed in: on to the index
            post = outcome(None, roles, 200)
        elif key == "admin:logout":  # POST only; without admin rights GET goes to the index
            get, post = outcome(None, roles, 302, superuser=405), outcome(None, roles, 302)
        calls.append((key, path, Call("GET", get, path=path)))
        calls.append((key, path, Call("POST", post, path=path, body={"name": "x"})))
    return calls


def admin_target(route: str, key: str, ctx) -> tuple[str, int]:
    """A concrete path for an admin route, and what the admin answers the superuser's GET."""
    from django.contrib import admin
    from django.test import RequestFactory

    match = re.match(r"admin/(\w+)/(\w+)/", route)
    try:
        model = apps.get_model(match[1], match[2]) if match else None
    except LookupError:
        model = None
    obj = model._default_manager.order_by("pk").first() if model else None
    pk = str(obj.pk) if obj else "0"
    history_id = "0"
    if obj is not None and hasattr(model, "history"):
        history_id = str(model.history.filter(id=obj.pk).values_list("history_id", flat=True)[0])
    agency_type = ContentType.objects.get_for_model(type(ctx.world.an))
    replacements = [
        ("<path:content_type_id>/<path:object_id>", f"{agency_type.pk}/{ctx.world.an.pk}"),
        ("<path:object_id>", pk),
        ("<id>", str(ctx.users["reporter_a"].pk)),
        ("([^/]+)/history/([^/]+)/$", f"{pk}/history/{history_id}/"),
        ("(?P<url>.*)$", "khong-co/"),
    ]
    path = route
    for old, new in replacements:
        path = path.replace(old, new)
    path = "/" + re.sub(r"\(\?P<app_label>[^)]*\)/\$", "rankings/", path)

    request = RequestFactory().get(path)
    request.user = ctx.users["superuser"]
    model_admin = admin.site._registry.get(model)
    if key in {"admin:autocomplete"}:
        return path, 403  # without its query parameters
    if key == "admin:view_on_site" or route.endswith("(?P<url>.*)$"):
        return path, 404  # an agency has no public URL of the admin's kind; no such page
    if "object_id" in route or "history/([^/]+)" in route:
        if obj is None or route.endswith("<path:object_id>/"):
            return path, 302  # no such object → the index; a bare object URL → its change page
        if route.endswith("/delete/") and not model_admin.has_delete_permission(request, obj):
            return path, 403
        return path, 200
    if route.endswith("/add/") and not model_admin.has_add_permission(request):
        return path, 403
    return path, 200


def resolve_kwargs(value, ctx) -> dict:
    return value(ctx) if callable(value) else dict(value)


def send(ctx, role, call: Call, path: str):
    client = ctx.clients[role]
    client.cookies = SimpleCookie()
    headers = {}
    if role != "anonymous":
        if path.startswith("/api/"):
            headers["Authorization"] = f"Token {ctx.tokens[role]}"
        else:
            client.cookies = copy.deepcopy(ctx.cookies[role])
    if call.headers is not None:
        headers.update(call.headers(ctx))
    body = call.body(ctx) if callable(call.body) else call.body
    method = getattr(client, call.method.lower())
    if call.method == "GET":
        return method(path, headers=headers)
    if call.json:
        body = json.dumps(body or {})
        return method(path, body, content_type="application/json", headers=headers)
    return method(path, body or {}, headers=headers)


def observed(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("login") + "?next="):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
    return response.status_code


def content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def run_one(ctx, key, role, call: Call, path: str, seen: set) -> list[str]:
    """Make one call in a savepoint that is rolled back; the problems it shows."""
    expected = call.expect[role]
    problems = []
    cache.clear()  # throttle counters and import progress start empty for every call
    with transaction.atomic():
        if call.prepare is not None:
            call.prepare(ctx)
        before = footprint()
        response = send(ctx, role, call, path)
        got = observed(response)
        where = f"{call.method} {path} [{call.label or key}] as {role}"
        if got != expected:
            problems.append(f"{where}: expected {expected}, got {got}")
        after = footprint()
        refused = expected not in SUCCESS or call.method == "GET"
        if refused and after != before:
            changed = sorted(name for name in before if before[name] != after[name])
            problems.append(f"{where}: refused or read-only, yet it wrote {changed}")
        if role in OWN_ROLES:
            for slug, agency_id in ctx.agencies.items():
                mine = slug == OWN_ROLES[role]
                if not mine and agency_part(after, agency_id) != agency_part(before, agency_id):
                    problems.append(f"{where}: changed agency {slug}'s drafts")
        body = content(response)
        for slug, mark in MARKS.items():
            if mark.encode() not in body:
                continue
            if slug in BLIND_TO.get(role, ()):
                problems.append(f"{where}: showed agency {slug}'s drafts")
            else:
                seen.add((slug, role))
        if call.check is not None and (problem := call.check(ctx, role, response)):
            problems.append(f"{where}: {problem}")
        transaction.set_rollback(True)
    return problems


def plan(ctx) -> list[tuple[str, str, Call]]:
    """(key, path with query, call) for every call of the table and of the admin family."""
    planned = []
    for key, calls in MATRIX.items():
        for call in calls:
            path = call.path or reverse(key, kwargs=resolve_kwargs(call.kwargs, ctx))
            planned.append((key, path + (f"?{call.query}" if call.query else ""), call))
    return planned + admin_calls(ctx)


def route_of(path: str) -> str:
    return resolve(path.partition("?")[0]).route


def test_access_matrix(ctx):
    started, cpu = time.perf_counter(), time.process_time()
    planned = plan(ctx)
    routes = url_patterns()
    unreached = sorted(set(routes) - {route_of(path) for _key, path, _call in planned})
    assert not unreached, f"URL patterns no call reaches: {unreached}"

    problems, cells, seen, requests = [], set(), set(), 0
    for key, path, call in planned:
        for role in ROLES:
            if call.expect[role] is not None:
                problems += run_one(ctx, key, role, call, path, seen)
                cells.add((route_of(path), role, call.method))
                requests += 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    admin = sum(route.startswith("admin/") for route in routes)
    pairs = {(route_of(path), call.method) for _key, path, call in planned}
    print(
        f"\naccess matrix: {len(routes)} URL patterns ({admin} admin) × {len(ROLES)} roles; "
        f"{len(pairs)} pattern×method pairs; {len(cells)} pattern×role×method cells, "
        f"{requests} requests in {elapsed:.1f}s ({cpu:.1f}s CPU); {len(problems)} problems"
    )
    assert not problems, "\n".join(problems)
    # The markers do reach those who may read them, so their absence elsewhere means something.
    readers = {
        (slug, role) for role in ROLES for slug in MARKS if slug not in BLIND_TO.get(role, ())
    }
    assert readers <= seen, f"markers never shown to {sorted(readers - seen)}"
