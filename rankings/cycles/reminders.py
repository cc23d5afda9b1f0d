"""ICT staff remind every late agency in one action, recorded in the cycle's history."""

from django.db import transaction
from django.utils.translation import gettext as _

from rankings.cycles import turn_notices
from rankings.cycles.overview import cycle_overview


@transaction.atomic
def late_agencies_remind(*, cycle, user) -> tuple[list, int]:
    """Tell each agency past its own deadline, and not yet submitted, that it is late.

    Returns the agencies reminded and how many people were told. The cycle's history gets
    an entry naming who sent it and to whom (django-simple-history, as other cycle actions).
    """
    late = cycle_overview(cycle=cycle).late
    if not late:
        return [], 0
    names = ", ".join(row.agency.name for row in late)
    cycle._history_user = user
    cycle._change_reason = (_("Nhắc hạn nộp các đơn vị quá hạn: %(a)s") % {"a": names})[:100]
    cycle.save(update_fields=["state"])  # no field changes: the history row is the record
    sent = turn_notices.late_reminder(cycle, late=late)
    return [row.agency for row in late], sent
