"""The Celery task that runs every job (rankings.jobs.runner.job_run) on a worker.

acks_late: the message is acknowledged after the job ends, so a worker that dies
mid-job leaves it for another; the job's own idempotence (a job done is not redone, an
import marks itself done in its transaction) makes that redelivery safe."""

from celery import shared_task

from rankings.jobs.runner import MAX_ATTEMPTS, RETRYABLE, job_run


@shared_task(
    name="rankings.jobs.run",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRYABLE,
    max_retries=MAX_ATTEMPTS - 1,
    retry_backoff=5,
    retry_jitter=True,
)
def run_job(job_id: int) -> str:
    return job_run(job_id).status
