"""Atom feeds of publications and corrections: the whole site, a province, an agency.

Each entry is one `Publication`: revision 1 is the decision, later revisions are
corrections and carry their reason. An entry links to the published ranking (a
correction to its section of the ranking's correction history); its id is a tag URI
(RFC 4151) of the publication, stable across renames. Feeds are read by programs, so they
follow the site's language rules like any page (Vietnamese unless the switch chose English).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from agencies.models import Agency, Province
from rankings import formatting, wording
from rankings.models import Publication

ENTRIES = 50  # the newest publications a feed lists


def publication_title(publication: Publication) -> str:
    cycle = publication.cycle
    names = {
        "b": wording.block_name(cycle.block),
        "p": cycle.province.name,
        "y": cycle.year,
        "n": publication.correction_number,
        "s": publication.source_label,
    }
    if publication.revision == 1:
        return _("Công bố xếp hạng %(b)s %(p)s năm %(y)s (%(s)s)") % names
    return _("Đính chính lần %(n)s xếp hạng %(b)s %(p)s năm %(y)s (%(s)s)") % names


def source_text(publication: Publication) -> str:
    """`Publication.source_line` in the reader's language (rankings/_source.html's words)."""
    day = formatting.day(publication.decision_date)
    if publication.is_decision:
        return f"{_('Quyết định số')} {publication.decision_number} {_('ngày')} {day}"
    return f"{_('Nguồn:')} {publication.source_title}, {_('ngày')} {day}"


def publication_summary(publication: Publication) -> str:
    parts = [
        _("Lần công bố %(r)s.") % {"r": publication.revision},
        source_text(publication) + ".",
    ]
    if publication.revision > 1:
        parts.append(_("Lý do đính chính: %(reason)s") % {"reason": publication.reason})
    return " ".join(parts)


def publication_path(publication: Publication) -> str:
    cycle = publication.cycle
    path = reverse("leaderboard", args=[cycle.province.slug, cycle.year, cycle.block.slug])
    return path if publication.revision == 1 else f"{path}#correction-{publication.revision}"


class SiteFeed(Feed):
    """Every province's publications and corrections, newest first."""

    feed_type = Atom1Feed
    author_name = "Xếp hạng ứng dụng CNTT, chính quyền điện tử"

    def title(self, obj=None) -> str:
        return _("Công bố và đính chính kết quả xếp hạng")

    def subtitle(self, obj=None) -> str:
        return _("Các quyết định công bố và đính chính kết quả xếp hạng mới nhất.")

    def link(self, obj=None) -> str:
        return reverse("home")

    def publications(self, obj):
        return Publication.objects.all()

    def items(self, obj=None):
        rows = self.publications(obj).select_related("cycle__province", "cycle__block")
        return rows.order_by("-published_at", "-pk")[:ENTRIES]

    def item_title(self, item: Publication) -> str:
        return publication_title(item)

    def item_description(self, item: Publication) -> str:
        return publication_summary(item)

    def item_link(self, item: Publication) -> str:
        return publication_path(item)

    def item_guid(self, item: Publication) -> str:
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"tag:{host},{item.published_at:%Y-%m-%d}:publication:{item.pk}"

    def item_pubdate(self, item: Publication):
        return item.published_at

    def item_updateddate(self, item: Publication):
        return item.published_at

    def item_author_name(self, item: Publication) -> str:
        return item.cycle.province.name


class ProvinceFeed(SiteFeed):
    """One province's publications and corrections."""

    def get_object(self, request, province):
        return get_object_or_404(Province, slug=province)

    def title(self, obj=None) -> str:
        return _("Công bố và đính chính kết quả xếp hạng: %(p)s") % {"p": obj.name}

    def link(self, obj=None) -> str:
        return reverse("province", args=[obj.slug])

    def publications(self, obj):
        return Publication.objects.filter(cycle__province=obj)


class AgencyFeed(SiteFeed):
    """The publications and corrections of the rankings an agency is in."""

    def get_object(self, request, province, slug):
        return get_object_or_404(
            Agency.objects.select_related("province"), province__slug=province, slug=slug
        )

    def title(self, obj=None) -> str:
        return _("Công bố và đính chính kết quả xếp hạng: %(a)s") % {"a": obj.name}

    def link(self, obj=None) -> str:
        return reverse("agency", args=[obj.province.slug, obj.slug])

    def publications(self, obj):
        return Publication.objects.filter(results__agency=obj)
