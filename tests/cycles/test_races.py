"""Two people edit the same score at once: exactly one wins, the other is told.

Real threads, each with its own test Client and its own database connection, go through
the whole request path (middleware, authentication, views, services) against committed
data, so the locks the views take are the ones that decide. PostgreSQL only: SQLite has
one writer at a time and no row locks, so it cannot show what these tests look for.

- Scenario A: N people read the same score (the API's ETag, or the form's versions), then
  all write it at once with different values: one 200 (or 302), the rest 412 (or 409),
  and the stored value is the winner's.
- Scenario B: 1,000 randomized races, rounds of 5 threads, each writing a score chosen
  at random through the API (self and final stages), the form, the council's review, or
  the import. After every round the database must hold the last successful write of each
  score as the responses report it (no lost update), and in the end the history must hold
  exactly one record per successful write.

One test runs anywhere: a stale form is refused with the reason and writes nothing.
"""

import copy
import random
import re
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from knox.models import AuthToken

from agencies.models import Agency
from api.workflow import score_etag
from rankings.cycles import assessments
from rankings.models import (
    Membership,
    Role,
    Score,
    Stage,
)
from tests.imports.test_imports import csv_text
from tests.world import open_2022

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need PostgreSQL's row locks and concurrent writers; "
    "run with DATABASE_URL=postgres://…",
)

API = "/api/v1/cycles/mau/2022/districts/"
CODES = ("1.1", "1.2", "2.1")
MAXIMA = {"1.1": 10, "1.2": 50, "2.1": 20}  # 1.2 is a ratio a/50
FIELDS = ("value", "denominator", "review", "comment")
AGENCIES = ("an", "binh", "cat")


def form_url(agency: str) -> str:
    return f"/quan-ly/mau/2022/districts/don-vi/{agency}/tu-danh-gia/"


@pytest.fixture
def cycle(world, settings):
    # Thousands of writes a minute from a handful of users: no throttling here.
    rates = {"anon": "100000/minute", "user": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cycle = open_2022(world)
    raw = assessments.RawInput
    for agency in (world.an, world.binh):
        assessments.self_assessment_save(
            cycle=cycle,
            agency=agency,
            user=None,
            inputs={"1.1": raw(D(8)), "1.2": raw(D(35), D(50)), "2.1": raw(D(15))},
        )
    for agency in (world.an, world.binh, world.cat):
        for code, value in (("1.1", raw(D(7))), ("1.2", raw(D(30), D(50))), ("2.1", raw(D(9)))):
            assessments.score_enter(cycle=cycle, agency=agency, code=code, raw=value, user=None)
    return cycle


@pytest.fixture
def people(world):
    """Three reporters for each of An and Bình, two ICT staff, two council members."""
    User = get_user_model()
    setup = {
        f"reporter_{slug}{i}": (Role.REPORTER, slug) for slug in ("an", "binh") for i in (1, 2, 3)
    }
    setup |= {f"editor{i}": (Role.EDITOR, None) for i in (1, 2)}
    setup |= {f"reviewer{i}": (Role.REVIEWER, None) for i in (1, 2)}
    agencies = {"an": world.an, "binh": world.binh}
    found = {}
    for name, (role, slug) in setup.items():
        user = User.objects.create_user(name, "", "x")
        Membership.objects.create(
            user=user, role=role, province=world.province, agency=agencies.get(slug)
        )
        signed_in = Client()
        signed_in.force_login(user)  # one session each, reused by every form post
        found[name] = (user, AuthToken.objects.create(user=user)[1], signed_in.cookies)
    return found


class Crew:
    """`size` threads, each with its own Client (and so its own database connection).

    `race(jobs)` hands job i to thread i; a job is `(prepare, act)`: every thread
    prepares (reads), all wait at a barrier, then all act (write) at once.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.jobs: list = [None] * size
        self.results: list = [None] * size
        self.start = threading.Barrier(size + 1)
        self.go = threading.Barrier(size)
        self.done = threading.Barrier(size + 1)
        self.threads = [threading.Thread(target=self._work, args=(i,)) for i in range(size)]
        for thread in self.threads:
            thread.start()

    def _work(self, i: int) -> None:
        client = Client(raise_request_exception=False)
        try:
            while True:
                self.start.wait()
                job = self.jobs[i]
                if job is None:
                    return
                prepare, act = job
                try:
                    state = prepare(client)
                    self.go.wait()
                    self.results[i] = act(client, state)
                except Exception as error:  # reported by the main thread
                    self.results[i] = error
                self.done.wait()
        finally:
            connection.close()

    def race(self, jobs: list) -> list:
        self.jobs, self.results = list(jobs), [None] * self.size
        self.start.wait()
        self.done.wait()
        failed = [r for r in self.results if isinstance(r, Exception)]
        if failed:
            raise failed[0]
        return self.results

    def stop(self) -> None:
        self.jobs = [None] * self.size
        self.start.wait()
        for thread in self.threads:
            thread.join()


@pytest.fixture
def crew():
    made = []

    def make(size):
        made.append(Crew(size))
        return made[-1]

    yield make
    for one in made:
        one.stop()


def token_headers(people, name) -> dict:
    return {"Authorization": f"Token {people[name][1]}"}


def login(client, people, name) -> None:
    client.cookies = copy.deepcopy(people[name][2])


def stored(cycle, agency: str, code: str, stage: str) -> Score:
    return Score.objects.get(cycle=cycle, agency__slug=agency, criterion__code=code, stage=stage)


# --- Scenario A: N people, one score, one winner ----------------------------------------


@postgresql_only
@pytest.mark.parametrize("stage", [Stage.SELF, Stage.FINAL])
def test_api_same_etag_one_winner_the_rest_412(cycle, people, crew, stage):
    writers = (
        ["reporter_an1", "reporter_an2", "reporter_an3"] * 2
        if stage == Stage.SELF
        else ["editor1", "editor2"] * 3
    )
    url = f"{API}scores/an/2.1/?stage={stage}"

    def job(name, value):
        headers = token_headers(people, name)

        def prepare(client):
            read = client.get(url, headers=headers)
            assert read.status_code == 200, read.content
            return read["ETag"]

        def act(client, etag):
            body = {"value": str(value)}
            response = client.put(
                url, body, content_type="application/json", headers={**headers, "If-Match": etag}
            )
            return value, response.status_code, response

        return prepare, act

    results = crew(len(writers)).race([job(name, 10 + i) for i, name in enumerate(writers)])
    statuses = Counter(status for _value, status, _response in results)
    assert statuses == {200: 1, 412: len(writers) - 1}, statuses
    (winner,) = [value for value, status, _r in results if status == 200]
    assert stored(cycle, "an", "2.1", stage).value == winner
    losers = [r for _v, status, r in results if status == 412]
    assert all(r.json()["error"]["code"] == "precondition_failed" for r in losers)


@postgresql_only
def test_form_same_versions_one_winner_the_rest_told_409(cycle, people, crew):
    writers = ["reporter_an1", "reporter_an2", "reporter_an3"] * 2
    before = stored(cycle, "an", "1.1", Stage.SELF).history.count()

    def job(name, value):
        def prepare(client):
            login(client, people, name)
            page = client.get(form_url("an"))
            assert page.status_code == 200
            return dict(re.findall(r'name="(ver-[^"]+)" value="([^"]*)"', page.content.decode()))

        def act(client, versions):
            fields = {"action": "save", "v-1.1": str(value), "v-1.2": "35", "d-1.2": "50"}
            response = client.post(form_url("an"), {**fields, "v-2.1": "15", **versions})
            return value, response.status_code, response

        return prepare, act

    results = crew(len(writers)).race([job(name, i + 1) for i, name in enumerate(writers)])
    statuses = Counter(status for _value, status, _response in results)
    assert statuses == {302: 1, 409: len(writers) - 1}, statuses
    (winner,) = [value for value, status, _r in results if status == 302]
    assert stored(cycle, "an", "1.1", Stage.SELF).value == winner
    told = [r.content.decode() for _v, status, r in results if status == 409]
    assert all("đã được người khác sửa lúc" in html and "tải lại trang" in html for html in told)
    assert stored(cycle, "an", "1.1", Stage.SELF).history.count() == before + 1


def test_a_stale_form_is_refused_with_the_reason_and_writes_nothing(cycle, people):
    """Any database: the page was read, someone else saved, the first page's save fails."""
    first, second = Client(), Client()
    login(first, people, "reporter_an1")
    login(second, people, "reporter_an2")
    pages = [c.get(form_url("an")).content.decode() for c in (first, second)]
    versions = [dict(re.findall(r'name="(ver-[^"]+)" value="([^"]*)"', p)) for p in pages]
    fields = {"action": "save", "v-1.1": "9", "v-1.2": "35", "d-1.2": "50", "v-2.1": "15"}
    assert second.post(form_url("an"), {**fields, **versions[1]}).status_code == 302
    history = Score.history.count()

    stale = first.post(form_url("an"), {**fields, "v-1.1": "3", **versions[0]})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Điểm tiêu chí 1.1 đã được người khác sửa lúc" in html
    assert "hãy tải lại trang" in html
    assert stored(cycle, "an", "1.1", Stage.SELF).value == D("9")
    assert Score.history.count() == history
    # The page shown again carries the new versions: saving from it now works.
    fresh = dict(re.findall(r'name="(ver-[^"]+)" value="([^"]*)"', html))
    assert first.post(form_url("an"), {**fields, "v-1.1": "3", **fresh}).status_code == 302
    assert stored(cycle, "an", "1.1", Stage.SELF).value == D("3")


# --- Scenario B: 1,000 randomized races --------------------------------------------------

ROUNDS, THREADS, SEED = 200, 5, 20221123
PATHS = ("api-self", "form", "review", "api-final", "import")
WEIGHTS = (3, 2, 2, 3, 1)  # an import writes all nine final scores: rarer


class Ledger:
    """The expected state of every score, from what the responses said succeeded."""

    def __init__(self, cycle) -> None:
        self.cycle = cycle
        self.expected = self.read()
        self.writes: Counter = Counter()
        self.history_before = self.history()

    def history(self) -> Counter:
        """History records per score, keyed as `expected` is."""
        agencies = dict(Agency.objects.values_list("pk", "slug"))
        codes = dict(self.cycle.criteria_set.criteria.values_list("pk", "code"))
        rows = Score.history.filter(cycle_id=self.cycle.pk)
        return Counter(
            (agencies[agency], codes[criterion], stage)
            for agency, criterion, stage in rows.values_list("agency_id", "criterion_id", "stage")
        )

    def read(self) -> dict:
        rows = Score.objects.filter(cycle=self.cycle).select_related("agency", "criterion")
        return {
            (s.agency.slug, s.criterion.code, s.stage): {f: getattr(s, f) for f in FIELDS}
            for s in rows
        }

    def apply(self, key, **fields) -> None:
        self.expected.setdefault(key, {"review": "", "comment": ""}).update(fields)
        self.writes[key] += 1


def plan_round(rng, cycle, rnd: int) -> list[dict]:
    """Five writes for one round, each on the scores as they stand before the round."""
    now = {
        (s.agency.slug, s.criterion.code, s.stage): s
        for s in Score.objects.filter(cycle=cycle).select_related("agency", "criterion")
    }
    plans = []
    for thread in range(THREADS):
        path = rng.choices(PATHS, WEIGHTS)[0]
        value = rng.randint(0, MAXIMA[code := rng.choice(CODES)])
        tag = f"v{rnd}-{thread}"
        if path in {"api-self", "form", "review"}:
            agency = rng.choice(("an", "binh"))
            user = f"reporter_{agency}{rng.randint(1, 3)}"
            target = now[(agency, code, Stage.SELF)]
            plans.append(
                {
                    "path": path,
                    "agency": agency,
                    "code": code,
                    "value": value,
                    "user": user if path != "review" else f"reviewer{rng.randint(1, 2)}",
                    "etag": score_etag(target),
                    "versions": {
                        f"ver-{c}": assessments.score_version(now[(agency, c, Stage.SELF)])
                        for c in CODES
                    },
                    "others": {c: now[(agency, c, Stage.SELF)].value for c in CODES},
                    "comment": f"Thẩm định {tag}",
                }
            )
        elif path == "api-final":
            agency = rng.choice(AGENCIES)
            plans.append(
                {
                    "path": path,
                    "agency": agency,
                    "code": code,
                    "value": value,
                    "user": f"editor{rng.randint(1, 2)}",
                    "etag": score_etag(now[(agency, code, Stage.FINAL)]),
                }
            )
        else:
            values = {
                slug: {"1.1": rng.randint(0, 10), "1.2 a": rng.randint(0, 50), "1.2 b": 50}
                | {"2.1": rng.randint(0, 20)}
                for slug in AGENCIES
            }
            plans.append({"path": path, "user": f"editor{rng.randint(1, 2)}", "values": values})
    return plans


def send(people, plan):
    """(prepare, act) for one planned write; act returns (plan, status)."""
    path, user = plan["path"], plan["user"]
    headers = token_headers(people, user)

    def prepare(client):
        if path == "form":
            login(client, people, user)

    def act(client, _state):
        started = time.perf_counter()
        try:
            return write(client)
        finally:
            plan["seconds"] = time.perf_counter() - started

    def write(client):
        if path == "form":
            fields = {f"v-{c}": str(v) for c, v in plan["others"].items()}
            fields |= {"d-1.2": "50", f"v-{plan['code']}": str(plan["value"])}
            data = {"action": "save", **fields, **plan["versions"]}
            return plan, client.post(form_url(plan["agency"]), data).status_code
        if path == "import":
            text = csv_text(plan["values"]).encode()
            upload = SimpleUploadedFile("diem.csv", text, content_type="text/csv")
            response = client.post(f"{API}imports/", {"file": upload}, headers=headers)
            return plan, response.status_code
        score = f"{API}scores/{plan['agency']}/{plan['code']}/"
        body = {"value": str(plan["value"])}
        if plan["code"] == "1.2":
            body["denominator"] = "50"
        etag = {**headers, "If-Match": plan["etag"]}
        if path == "review":
            body |= {"action": "adjusted", "comment": plan["comment"]}
            response = client.post(
                f"{score}review/", body, content_type="application/json", headers=etag
            )
        else:
            stage = Stage.SELF if path == "api-self" else Stage.FINAL
            response = client.put(
                f"{score}?stage={stage}", body, content_type="application/json", headers=etag
            )
        return plan, response.status_code

    return prepare, act


def settle(ledger: Ledger, outcomes) -> list[str]:
    """Record the round's successful writes; the problems its outcomes already show."""
    problems = []
    won: Counter = Counter()
    imported = []
    for plan, status in outcomes:
        path = plan["path"]
        ok = {"form": 302}.get(path, 200)
        refused = {"form": 409}.get(path, 412)
        if status not in {ok, refused}:
            problems.append(f"{path} answered {status}")
            continue
        if status != ok:
            continue
        denominator = D(50) if plan.get("code") == "1.2" else None
        if path == "import":
            imported.append(plan)
            continue
        if path == "form":
            for code in CODES:
                value = plan["value"] if code == plan["code"] else plan["others"][code]
                key = (plan["agency"], code, Stage.SELF)
                won[key] += 1
                ledger.apply(key, value=D(value), denominator=D(50) if code == "1.2" else None)
            continue
        stage = Stage.FINAL if path == "api-final" else Stage.SELF
        key = (plan["agency"], plan["code"], stage)
        won[key] += 1
        if path == "review":
            ledger.apply(key, review="adjusted", comment=plan["comment"])
            ledger.apply(
                (plan["agency"], plan["code"], Stage.VERIFIED),
                value=D(plan["value"]),
                denominator=denominator,
                review="adjusted",
                comment=plan["comment"],
            )
        else:
            ledger.apply(key, value=D(plan["value"]), denominator=denominator)
    # Writers that checked a version: at most one per score per round can have been right.
    problems += [
        f"{n} writers of {key} all succeeded on one version" for key, n in won.items() if n > 1
    ]
    if imported:
        # Imports check no version: one is last (all or nothing: all nine of its values),
        # and a versioned writer that succeeded came before it, or it would have failed.
        stored = ledger.read()
        imported.sort(key=lambda plan: imported_values(plan) == final_values(stored))
        if imported_values(imported[-1]) != final_values(stored):
            problems.append("the final scores are no import's, nor any writer's after it")
        for plan in imported:
            for key, (value, denominator) in imported_values(plan).items():
                ledger.apply(key, value=value, denominator=denominator)
    return problems


def imported_values(plan) -> dict:
    return {
        (slug, code, Stage.FINAL): (
            D(values["1.2 a" if code == "1.2" else code]),
            D(50) if code == "1.2" else None,
        )
        for slug, values in plan["values"].items()
        for code in CODES
    }


def final_values(stored: dict) -> dict:
    return {
        key: (fields["value"], fields["denominator"])
        for key, fields in stored.items()
        if key[2] == Stage.FINAL
    }


def differences(ledger: Ledger) -> list[str]:
    actual = ledger.read()
    found = []
    for key in sorted(set(actual) | set(ledger.expected)):
        want, got = ledger.expected.get(key), actual.get(key)
        if want is None or got is None:
            found.append(f"{key}: expected {want}, stored {got}")
            continue
        want = {f: want.get(f, got[f]) for f in FIELDS}
        if {f: got[f] for f in FIELDS} != want:
            found.append(f"{key}: expected {want}, stored {got}")
    return found


@postgresql_only
def test_a_thousand_random_races_lose_no_update(cycle, people, crew):
    rng = random.Random(SEED)
    ledger = Ledger(cycle)
    workers = crew(THREADS)
    started, cpu = time.perf_counter(), time.process_time()
    paths, statuses, seconds = Counter(), Counter(), Counter()
    for rnd in range(ROUNDS):
        plans = plan_round(rng, cycle, rnd)
        outcomes = workers.race([send(people, plan) for plan in plans])
        paths.update(plan["path"] for plan in plans)
        statuses.update(f"{plan['path']} {status}" for plan, status in outcomes)
        for plan, _status in outcomes:
            seconds[plan["path"]] += plan["seconds"]
        problems = settle(ledger, outcomes) + differences(ledger)
        assert not problems, f"round {rnd}: " + "; ".join(problems)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu

    recorded = ledger.history() - ledger.history_before
    assert recorded == ledger.writes, "history records ≠ successful writes"
    print(
        f"\nraces: {ROUNDS * THREADS} in {ROUNDS} rounds of {THREADS} threads in {elapsed:.1f}s "
        f"({cpu:.1f}s CPU); mean ms per write "
        f"{ {p: round(1000 * seconds[p] / paths[p]) for p in sorted(paths)} }; "
        f"outcomes {dict(sorted(statuses.items()))}; "
        f"{sum(ledger.writes.values())} score writes, all in the history, none lost"
    )
