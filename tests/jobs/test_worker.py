"""Jobs through a real Celery worker on Redis, end to end: an import confirmed on the page
and the warming of a publication, each run by `celery -A config worker` in a process of its
own (solo pool), the broker on Redis DB 3 and the page cache on DB 4 (JOBS_TEST_REDIS).

The worker reads the test database, so it needs PostgreSQL (what `make test` and CI use);
on SQLite, whose test database lives in this process's memory, it is skipped with that
reason. .ci/run installs and starts Redis; outside CI a Redis that does not answer skips it.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from config.celery import app as celery_app
from rankings.cycles.final import final_preview
from rankings.cycles.publication import publication_create
from rankings.jobs.models import Job, JobKind, JobStatus
from rankings.models import AssessmentCycle, Role, Score
from rankings.public import page_cache
from tests.imports.test_import_progress import BASE, TOKEN, member, upload
from tests.imports.test_imports import INPUTS_2021, filled

pytestmark = pytest.mark.django_db(transaction=True)

REDIS = os.environ.get("JOBS_TEST_REDIS", "redis://127.0.0.1:6379")
BROKER, CACHE = f"{REDIS}/3", f"{REDIS}/4"
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture
def worker(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it needs the test database on PostgreSQL")
    try:
        for url in (BROKER, CACHE):
            redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        if os.environ.get("CI") or os.environ.get("JOBS_TEST_REDIS"):
            # .ci/run starts Redis and names it: there a silent Redis is a failure, not a skip.
            pytest.fail(f"Redis does not answer at {REDIS} ({error}); .ci/run starts it")
        pytest.skip(f"Redis does not answer at {REDIS}: {error} (JOBS_TEST_REDIS set: a failure)")
    settings.JOBS_IN_PROCESS = False
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": CACHE}}
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = BROKER, False
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "REDIS_URL": CACHE,
        "PAGE_CACHE_SECONDS": str(django_settings.PAGE_CACHE_SECONDS),
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO",
             "-n", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    yield log
    process.send_signal(signal.SIGTERM)  # warm shutdown: the current job ends first
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
    page_cache.clear()


def finished(job_id: int, log: Path, timeout: float = 120) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not finished in {timeout} s; worker log:\n"
                         + log.read_text()[-4000:])  # fmt: skip


def test_a_worker_runs_an_import_and_the_warming_of_a_publication(worker, client):
    from tests.world import build_world

    world = build_world()
    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )
    client.force_login(member(world, Role.EDITOR))
    html = upload(client, filled(cycle, INPUTS_2021)).content.decode()
    digest = html.split('name="digest" value="')[1].split('"')[0]
    form = {"confirm": "1", "digest": digest, "format": "xlsx", "progress_token": TOKEN}
    response = client.post(BASE + "nhap-lieu/", form)
    job = Job.objects.get(kind=JobKind.IMPORT)
    assert response["Location"] == f"/quan-ly/{world.province.slug}/viec-nen/{job.pk}/"
    job = finished(job.pk, worker)
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 1 and job.result["agencies"] == 3
    assert Score.objects.filter(cycle=cycle).count() == job.result["scores_created"] > 0
    page = client.get(response["Location"]).content.decode()
    assert "Xong" in page and "Điểm mới" in page and BASE + "ban-nhap/" in page

    published = world.cycle_2021
    publication = publication_create(
        cycle=published,
        decision_number="261/QĐ",
        decision_date=published.publications.get().decision_date,
        reason="Đính chính",
        preview=final_preview(cycle=published).fingerprint(),
    )
    warm = finished(Job.objects.get(key=f"warm:publication:{publication.pk}").pk, worker)
    assert warm.status == JobStatus.DONE, warm.error
    assert warm.result["failed"] == [] and warm.result["stored"] == warm.result["pages"] > 20
    page_cache._recent.clear()
    page_cache.forget_generation()
    reader = Client()
    leaderboard = reader.get(f"/{published.province.slug}/{published.year}/districts/")
    assert leaderboard.status_code == 200 and leaderboard.templates == []  # the worker's render
    assert "261/QĐ" in leaderboard.content.decode()
