"""Asking for a job and running one: the lifecycle every kind shares.

`job_request` records a queued `Job` (or returns the live or finished one with the same
key: asking twice never does the work twice) and `enqueue` hands it to Celery once the
transaction commits, or, with no broker (`settings.JOBS_IN_PROCESS`: the demo, the tests),
runs it at once in this process. `job_run` is what the worker (rankings.jobs.tasks) calls:
it marks the job running, counts the attempt, calls the kind's handler with a progress
callback, and records done with the handler's result or failed with its error.

Handlers are idempotent: a job already done is not run again (a redelivery after a worker
died between the commit and the acknowledgement), and a handler whose work is one
transaction marks the job done inside it (`mark_done`), so the work and "done" commit
together or not at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from rankings.jobs.models import Job, JobKind, JobStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a job failing on the database's availability is tried this often
PROGRESS_SECONDS = 60 * 60  # how long the live progress stays in the cache
DB_PROGRESS_EVERY = 0.5  # seconds between progress writes to the Job row (outside a transaction)
RETRYABLE = (OperationalError, InterfaceError)  # the database went away: try again later

Handler = Callable[[Job, Callable[[str, int, int], None]], dict]


class JobRefused(Exception):
    """The job cannot do its work as asked; the message (Vietnamese) is shown to staff."""


def job_request(
    *,
    kind: str,
    key: str,
    params: dict | None = None,
    province=None,
    cycle=None,
    user=None,
) -> tuple[Job, bool]:
    """The queued, running or done job with `key`, or a new queued one; True when new."""
    existing = Job.objects.filter(key=key).exclude(status=JobStatus.FAILED).order_by("-pk")
    found = existing.first()
    if found is not None:
        return found, False
    by = user if getattr(user, "is_authenticated", False) else None
    job = Job.objects.create(
        kind=kind,
        key=key,
        params=params or {},
        province=province if province is not None else getattr(cycle, "province", None),
        cycle=cycle,
        requested_by=by,
    )
    return job, True


def enqueue(job: Job) -> None:
    """Run `job` after the current transaction commits: on a worker, or here and now."""
    if settings.JOBS_IN_PROCESS:
        if _outside_transactions():
            job_run(job.pk, in_process=True)
        else:
            transaction.on_commit(lambda: job_run(job.pk, in_process=True))
        return
    from rankings.jobs.tasks import run_job

    transaction.on_commit(lambda: run_job.apply_async(args=[job.pk]))


def _outside_transactions() -> bool:
    """No transaction of ours is open (a test case's own atomic blocks do not count, as for
    Django's `durable` check): the job can run now, seeing all it needs committed."""
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def job_run(job_id: int, *, in_process: bool = False) -> Job:
    """Run the job once (see the module docstring); the job as it ended.

    A database that went away is raised again for the worker to retry (up to
    `MAX_ATTEMPTS`); any other error fails the job with its message, never the caller."""
    job = _start(job_id)
    if job is None:
        return Job.objects.get(pk=job_id)
    from rankings.jobs.kinds import HANDLERS

    progress = JobProgress(job.pk)
    try:
        result = HANDLERS[JobKind(job.kind)](job, progress)
    except JobRefused as refused:
        return _fail(job, str(refused))
    except RETRYABLE as error:
        if in_process or job.attempts >= MAX_ATTEMPTS:
            return _fail(job, f"{type(error).__name__}: {error}")
        Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, error=str(error))
        raise
    except Exception as error:  # a bug or a lost file: shown to staff, logged in full
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return _fail(job, f"{type(error).__name__}: {error}")
    job.refresh_from_db()
    if job.status != JobStatus.DONE:
        mark_done(job, result, progress=progress.state)
    return job


def _start(job_id: int) -> Job | None:
    """The job marked running with one more attempt, or None when it is finished already."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.error = ""
        job.save(update_fields=["status", "attempts", "started_at", "error"])
    return job


def mark_done(job: Job, result: dict, *, progress: dict | None = None) -> None:
    """Record `job` done with `result` (inside the caller's transaction, if any)."""
    job.status = JobStatus.DONE
    job.result = result
    job.finished_at = timezone.now()
    fields = ["status", "result", "finished_at"]
    if progress is not None:
        job.progress = {**progress, "done": progress.get("total", 0)}
        fields.append("progress")
    job.save(update_fields=fields)


def _fail(job: Job, error: str) -> Job:
    if connection.needs_rollback:  # pragma: no cover - never inside a broken atomic block
        return job
    try:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=error[:2000], finished_at=timezone.now()
        )
    except DatabaseError:
        logger.exception("job %s failed and could not be marked failed", job.pk)
    job.refresh_from_db()
    return job


def live_progress(job: Job) -> dict:
    """The job's progress: the live report while it runs (written to the cache on every
    call, even inside the job's transaction), else the one stored on the row."""
    if not job.finished:
        try:
            live = cache.get(_progress_key(job.pk))
        except Exception:
            live = None
        if live:
            return live
    return job.progress or {}


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


class JobProgress:
    """The `progress(phase, done, total)` callback a handler reports through: to the cache
    each time, and to the Job row at most every `DB_PROGRESS_EVERY` seconds when no
    transaction is open (a write inside the job's own transaction would show nobody)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.state: dict = {}
        self.written = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.state = {"phase": phase, "done": done, "total": total}
        try:
            cache.set(_progress_key(self.job_id), self.state, PROGRESS_SECONDS)
        except Exception:  # the cache is down: the work goes on
            logger.warning("job progress not cached", exc_info=True)
        now = time.monotonic()
        if not connection.in_atomic_block and (
            now - self.written >= DB_PROGRESS_EVERY or done >= total
        ):
            Job.objects.filter(pk=self.job_id).update(progress=self.state)
            self.written = now


__all__ = ["Job", "JobKind", "JobRefused", "JobStatus", "enqueue", "job_request", "job_run"]
