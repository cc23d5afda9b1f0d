"""What each kind of job does (`HANDLERS`), and how staff code asks for each one.

Every handler takes the job and a `progress(phase, done, total)` callback and returns the
job's result (a small JSON dict). Work that writes is all or nothing and marks its job done
in the same transaction (`runner.mark_done`), after checking under a row lock that it is
not done already: a retried or redelivered job never applies twice.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from rankings.cycles.year_recompute import RecomputeRefused, cycles_recompute, year_cycles
from rankings.imports.services import import_apply, import_parse
from rankings.imports.types import ImportRefused, ParsedImport
from rankings.jobs.models import Job, JobKind, JobStatus
from rankings.jobs.runner import JobRefused, enqueue, job_request, mark_done
from rankings.models import AssessmentCycle, Publication

# An import parsed by the page that asked for it, handed to the job when it runs in the
# same process (the demo, the tests) so the file is not parsed twice; a worker parses again.
_parsed_ahead: dict[int, ParsedImport] = {}


# ---------------------------------------------------------------------------------------
# Asking


def import_confirm(
    *,
    cycle,
    user,
    digest: str,
    file_format: str,
    path: str,
    upload: str,
    reason: str,
    stage: str,
    parsed=None,
    progress_key: str | None = None,
) -> Job:
    """The job that applies a previewed upload; keyed by the upload (its sha-256 and when
    it was stored) so a double submit, or a retry, applies it once, while the same file
    uploaded again later is a new import."""
    job, new = job_request(
        kind=JobKind.IMPORT,
        key=f"import:{cycle.pk}:{stage}:{digest}:{upload}",
        params={
            "digest": digest,
            "format": file_format,
            "path": path,
            "reason": reason,
            "stage": stage,
            "progress_key": progress_key,
        },
        cycle=cycle,
        user=user,
    )
    if new:
        if parsed is not None:
            _parsed_ahead[job.pk] = parsed
        enqueue(job)
    return job


def recompute_request(*, year: int, province=None, cycle=None, user=None) -> Job:
    """A year's recompute (of one province, or all), or one cycle's (a block's)."""
    where = getattr(province, "slug", "*")
    scope = f"cycle:{cycle.pk}" if cycle is not None else f"{year}:{where}"
    job, new = job_request(
        kind=JobKind.RECOMPUTE,
        key=f"recompute:{scope}:{_now_key()}",
        params={"year": year, "province": getattr(province, "slug", None)},
        province=province,
        cycle=cycle,
        user=user,
    )
    if new:
        enqueue(job)
    return job


def publication_jobs(publication: Publication) -> list[Job]:
    """What follows a publication: warm its pages, then mail its subscribers."""
    jobs = []
    for kind in (JobKind.WARM, JobKind.ALERTS):
        job, new = job_request(
            kind=kind,
            key=f"{kind}:publication:{publication.pk}",
            params={"publication": publication.pk},
            cycle=publication.cycle,
        )
        if new:
            enqueue(job)
        jobs.append(job)
    return jobs


def confirmation_mail(subscription) -> Job:
    job, new = job_request(
        kind=JobKind.ALERTS,
        key=f"alerts:confirm:{subscription.pk}:{subscription.confirmation_sent_at.isoformat()}",
        params={"subscription": subscription.pk},
        province=subscription.province,
    )
    if new:
        enqueue(job)
    return job


def _now_key() -> str:
    """A recompute is asked for again on purpose: each request is its own job."""
    from django.utils import timezone

    return timezone.now().isoformat()


# ---------------------------------------------------------------------------------------
# Doing


def _import(job: Job, progress) -> dict:
    from rankings.imports.views import ImportProgress

    params, cycle = job.params, job.cycle
    if cycle is None:
        raise JobRefused(_("Kỳ đánh giá không còn."))
    page_progress = ImportProgress(params.get("progress_key"))

    def both(phase: str, done: int, total: int) -> None:
        progress(phase, done, total)
        page_progress(phase, done, total)

    parsed = _parsed_ahead.pop(job.pk, None) or _parsed_again(job, cycle, both)
    try:
        with transaction.atomic():
            if Job.objects.select_for_update().get(pk=job.pk).status == JobStatus.DONE:
                return job.result  # applied by an earlier delivery of this job
            summary = import_apply(
                cycle=cycle,
                parsed=parsed,
                user=job.requested_by,
                stage=params["stage"],
                reason=params["reason"],
                progress=both,
            )
            result = {
                "agencies": summary.agencies,
                "scores_created": summary.scores_created,
                "scores_updated": summary.scores_updated,
                "results": summary.results,
                "stage": summary.stage,
                "digest": summary.digest,
            }
            mark_done(job, result, progress={"phase": "recompute", "done": 1, "total": 1})
    except ImportRefused as refused:
        raise JobRefused(str(refused)) from refused
    default_storage.delete(params["path"])
    page_progress.finish(ok=True)
    return result


def _parsed_again(job: Job, cycle, progress) -> ParsedImport:
    """The pending upload read again (on a worker), refused if gone or not the one seen."""
    path, params = job.params["path"], job.params
    if not default_storage.exists(path):
        raise JobRefused(_("Tệp xem trước không còn; hãy tải lên lại."))
    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    parsed = import_parse(
        cycle=cycle, upload=data, filename=f"upload.{params['format']}", progress=progress
    )
    if parsed.digest != params["digest"]:
        raise JobRefused(_("Tệp đã thay đổi sau khi xem trước."))
    return parsed


def _recompute(job: Job, progress) -> dict:
    if job.cycle_id is not None:
        cycles = list(AssessmentCycle.objects.filter(pk=job.cycle_id))
    else:
        cycles = list(year_cycles(year=job.params["year"], province=job.params.get("province")))
    progress("recompute", 0, len(cycles))
    try:
        with transaction.atomic():
            if Job.objects.select_for_update().get(pk=job.pk).status == JobStatus.DONE:
                return job.result
            summary = cycles_recompute(cycles=cycles)
            result = {
                "cycles": summary.cycles,
                "results": summary.results,
                "scores_updated": summary.scores_updated,
                "bulk": summary.bulk,
            }
            mark_done(job, result, progress={"phase": "recompute", "total": len(cycles)})
    except RecomputeRefused as refused:
        shown = "; ".join(str(p) for p in refused.problems[:5])
        raise JobRefused(
            _("Chưa ghi gì: máy tính điểm từ chối số liệu của %(c)s: %(p)s")
            % {"c": refused.cycle, "p": shown}
        ) from refused
    return result


def _warm(job: Job, progress) -> dict:
    from django.conf import settings

    from rankings.jobs.warming import publication_warm

    if settings.JOBS_IN_PROCESS and not settings.JOBS_WARM_IN_PROCESS:
        return {"pages": 0, "stored": 0, "failed": [], "skipped": "JOBS_IN_PROCESS"}

    publication = Publication.objects.select_related("cycle__province", "cycle__block").get(
        pk=job.params["publication"]
    )
    return publication_warm(publication, progress)


def _alerts(job: Job, progress) -> dict:
    from rankings.alerts import mail
    from rankings.alerts import services as alerts
    from rankings.alerts.models import AlertSubscription

    if "subscription" in job.params:
        subscription = AlertSubscription.objects.filter(pk=job.params["subscription"]).first()
        if subscription is None:
            return {"sent": 0}
        return {"sent": alerts._send([mail.confirmation_message(subscription)])}
    publication = Publication.objects.get(pk=job.params["publication"])
    progress("send", 0, 1)
    return {"sent": alerts.publication_announce(publication=publication)}


HANDLERS = {
    JobKind.IMPORT: _import,
    JobKind.RECOMPUTE: _recompute,
    JobKind.WARM: _warm,
    JobKind.ALERTS: _alerts,
}
