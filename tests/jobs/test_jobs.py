"""Jobs (rankings.jobs): an import confirmed as a job, retried safely, shown to the province's
staff only; a publication warms the page cache; a miss renders once for every waiter."""

import threading
import time

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from rankings.cycles.final import final_preview
from rankings.cycles.publication import publication_create
from rankings.jobs import kinds, runner
from rankings.jobs.models import Job, JobKind, JobStatus
from rankings.models import AssessmentCycle, Role, Score
from rankings.public import page_cache
from tests.imports.test_import_progress import BASE, TOKEN, member, upload
from tests.imports.test_imports import INPUTS_2021, filled

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(world):
    """A 2022 cycle of the world's districts to import into (BASE's address)."""
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )


def preview_digest(client, data) -> str:
    html = upload(client, data).content.decode()
    return html.split('name="digest" value="')[1].split('"')[0]


def confirm(client, digest):
    form = {"confirm": "1", "digest": digest, "format": "xlsx", "progress_token": TOKEN}
    return client.post(BASE + "nhap-lieu/", form)


def test_a_confirmed_import_runs_as_a_job_and_a_double_submit_applies_once(client, world, cycle):
    client.force_login(member(world, Role.EDITOR))
    digest = preview_digest(client, filled(cycle, INPUTS_2021))
    assert confirm(client, digest)["Location"] == BASE + "ban-nhap/"
    job = Job.objects.get()
    assert (job.kind, job.status, job.attempts, job.cycle) == ("import", "done", 1, cycle)
    assert (
        job.result["agencies"] == 3
        and job.result["scores_created"] == Score.objects.filter(cycle=cycle).count()
    )
    assert job.progress == {"phase": "recompute", "done": 1, "total": 1}
    # The page's second click: the pending file is gone, nothing is applied again.
    again = confirm(client, digest)
    assert again.status_code == 400 and "Tệp xem trước không còn" in again.content.decode()
    assert Job.objects.count() == 1

    page = client.get(f"/quan-ly/{cycle.province.slug}/viec-nen/")
    text = page.content.decode()
    assert page.status_code == 200 and f"Nhập điểm từ tệp #{job.pk}" in text and "Xong" in text
    detail = client.get(f"/quan-ly/{cycle.province.slug}/viec-nen/{job.pk}/").content.decode()
    assert "Điểm mới" in detail and f"<dd>{job.result['scores_created']}</dd>" in detail


def test_on_a_worker_the_page_follows_the_job_and_a_redelivery_does_not_apply_twice(
    client, world, cycle, settings, monkeypatch
):
    settings.JOBS_IN_PROCESS = False
    sent = []
    monkeypatch.setattr("rankings.jobs.tasks.run_job.apply_async", lambda args: sent.append(args))
    client.force_login(member(world, Role.EDITOR))
    digest = preview_digest(client, filled(cycle, INPUTS_2021))
    response = confirm(client, digest)
    job = Job.objects.get()
    assert response["Location"] == f"/quan-ly/{cycle.province.slug}/viec-nen/{job.pk}/"
    assert job.status == JobStatus.QUEUED and not Score.objects.filter(cycle=cycle).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Đang chờ" in page and f"viec-nen/{job.pk}.json" in page

    # The worker: the message is acknowledged late, so it may arrive twice.
    assert runner.job_run(job.pk).status == JobStatus.DONE
    scores = Score.objects.filter(cycle=cycle).count()
    history = Score.history.filter(cycle=cycle).count()
    assert runner.job_run(job.pk).status == JobStatus.DONE
    job.refresh_from_db()
    assert job.attempts == 1 and Score.history.filter(cycle=cycle).count() == history
    assert Score.objects.filter(cycle=cycle).count() == scores == job.result["scores_created"]
    status = client.get(f"/quan-ly/{cycle.province.slug}/viec-nen/{job.pk}.json").json()
    assert status["status"] == "done" and status["next"] == BASE + "ban-nhap/"


def test_a_database_that_goes_away_is_retried_then_fails_with_its_error(world, monkeypatch):
    job, _ = runner.job_request(kind=JobKind.RECOMPUTE, key="r", params={"year": 2021})
    calls = []

    def flaky(job, progress):
        calls.append(job.attempts)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setitem(kinds.HANDLERS, JobKind.RECOMPUTE, flaky)
    for _attempt in range(runner.MAX_ATTEMPTS - 1):
        with pytest.raises(OperationalError):
            runner.job_run(job.pk)  # Celery's autoretry takes it from here
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    job = runner.job_run(job.pk)
    assert calls == [1, 2, 3] and job.status == JobStatus.FAILED
    assert job.error == "OperationalError: server closed the connection unexpectedly"


def test_a_recompute_job_gives_the_year_recompute_summary(world):
    job = kinds.recompute_request(year=2021, province=world.province)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["cycles"] >= 1
    assert job.result["results"] == world.cycle_2021.results.filter(publication=None).count()


def test_only_the_provinces_staff_see_its_jobs(client, world, cycle):
    job, _ = runner.job_request(kind=JobKind.IMPORT, key="k", cycle=cycle)
    runner.Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="Tệp hỏng")
    url = f"/quan-ly/{cycle.province.slug}/viec-nen/"
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(member(world, Role.REPORTER, name="reporter", agency=world.an))
    assert client.get(url).status_code == 404
    assert client.get(f"{url}{job.pk}.json").status_code == 404
    client.force_login(member(world, Role.REVIEWER, name="council"))
    text = client.get(url).content.decode()
    assert "Lỗi" in text and "Tệp hỏng" in text


def test_a_publication_warms_its_pages_and_the_first_reader_gets_a_cache_hit(
    client, world, django_capture_on_commit_callbacks, settings
):
    settings.JOBS_WARM_IN_PROCESS = True  # what a worker does (without one it is skipped)
    published = world.cycle_2021
    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_create(
            cycle=published,
            decision_number="260/QĐ",
            decision_date=published.publications.get().decision_date,
            reason="Đính chính",
            preview=final_preview(cycle=published).fingerprint(),
        )
    warm = Job.objects.get(kind=JobKind.WARM)
    assert warm.key == f"warm:publication:{publication.pk}" and warm.status == JobStatus.DONE
    assert warm.result["failed"] == [] and warm.result["stored"] == warm.result["pages"] > 20
    assert Job.objects.get(kind=JobKind.ALERTS).status == JobStatus.DONE
    page_cache._recent.clear()  # another worker: only the shared cache has the pages
    province = published.province.slug
    leaderboard = f"/{province}/{published.year}/{published.block.slug}/"
    for url in (leaderboard, leaderboard[:-1] + ".csv", f"/{province}/"):
        response = client.get(url)
        assert response.status_code == 200 and response.templates == [], url  # not rendered
    client.cookies["django_language"] = "en"
    english = client.get(leaderboard)
    assert english.templates == [] and "Rank" in english.content.decode()


def test_without_a_worker_the_warming_is_recorded_and_skipped(
    client, world, django_capture_on_commit_callbacks
):
    published = world.cycle_2021
    with django_capture_on_commit_callbacks(execute=True):
        publication_create(
            cycle=published,
            decision_number="260/QĐ",
            decision_date=published.publications.get().decision_date,
            reason="Đính chính",
            preview=final_preview(cycle=published).fingerprint(),
        )
    warm = Job.objects.get(kind=JobKind.WARM)
    assert warm.status == JobStatus.DONE and warm.result["skipped"] == "JOBS_IN_PROCESS"
    first = client.get(f"/{published.province.slug}/{published.year}/{published.block.slug}/")
    assert first.status_code == 200 and first.templates  # the first reader renders it


def test_concurrent_misses_render_once(settings):
    settings.PAGE_CACHE_SECONDS = 60
    renders = []

    @page_cache.cached_page
    def slow(request):
        renders.append(1)
        time.sleep(0.3)
        return HttpResponse("trang " * 200)

    page_cache._generation = ("0.0", time.monotonic() + 60)  # no query from the threads
    factory, bodies = RequestFactory(), []

    def read():
        bodies.append(slow(factory.get("/trang/")).content)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1 and len(bodies) == 8 and len(set(bodies)) == 1


def test_waiters_render_themselves_when_the_render_is_not_storable(settings):
    settings.PAGE_CACHE_SECONDS = 60
    renders = []

    @page_cache.cached_page
    def missing(request):
        renders.append(1)
        time.sleep(0.2)
        return HttpResponse("không có", status=404)

    page_cache._generation = ("0.0", time.monotonic() + 60)
    factory, statuses = RequestFactory(), []
    threads = [
        threading.Thread(target=lambda: statuses.append(missing(factory.get("/x/")).status_code))
        for _ in range(4)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [404] * 4 and 1 <= len(renders) <= 4
    assert time.monotonic() - started < page_cache.FLIGHT_WAIT_SECONDS  # nobody waited it out
