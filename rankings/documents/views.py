"""The decision's annex (public) and the council's minutes (staff) as PDF and .docx.

A publication never changes, so its annex is built once per format and kept in the cache
under the publication's id; a correction is a new publication and so a new file. The
minutes show unpublished scores and are built on each request, for staff and the agency.
"""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agencies.models import Agency
from rankings import permissions
from rankings.documents import content, pdf, word
from rankings.models import AssessmentCycle
from rankings.public.selectors.leaderboard import published_cycle

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"pdf": ("application/pdf", pdf.render), "docx": (DOCX, word.render)}
ANNEX_SECONDS = 24 * 3600


@require_GET
def annex(request, province, year, block, fmt):
    cycle = published_cycle(province=province, year=year, block=block)
    if cycle is None:
        raise Http404(_("Chưa có kết quả xếp hạng được công bố."))
    publication = cycle.publications.order_by("-revision").first()
    key = f"document:annex:{publication.pk}:{fmt}"
    built = cache.get(key)
    if built is None:
        document = content.annex(cycle=cycle)
        built = (document.filename, FORMATS[fmt][1](document))
        cache.set(key, built, ANNEX_SECONDS)
    filename, body = built
    return _file(body, fmt, filename)


@login_required
@require_GET
def minutes(request, province, year, block, agency, fmt):
    cycles = AssessmentCycle.objects.select_related("province", "block", "criteria_set")
    cycle = get_object_or_404(  # another province's cycle answers as a missing one: 404
        permissions.visible_cycles(request.user, cycles),
        province__slug=province,
        year=year,
        block__slug=block,
    )
    unit = get_object_or_404(Agency, province=cycle.province, block=cycle.block, slug=agency)
    if not permissions.can_read_agency_drafts(request.user, cycle=cycle, agency=unit):
        raise PermissionDenied(
            _("Chỉ cán bộ cấp tỉnh và chính đơn vị được xem biên bản thẩm định.")
        )
    document = content.minutes(cycle=cycle, agency=unit)
    return _file(FORMATS[fmt][1](document), fmt, document.filename)


def _file(body: bytes, fmt: str, filename: str) -> HttpResponse:
    content_type, _render = FORMATS[fmt]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
