"""A province row from vietnam-provinces, before or after the 2025 reform."""

import datetime

from django.db import transaction

from agencies.models import Province
from agencies.slugs import slugify, unique_slug
from agencies.units import (
    LEGACY_END,
    REFORM_DATE,
    blocks_ensure,
    current_units,
    legacy_units,
    pad,
    province_name,
)

ERAS = ("legacy", "current")


def official_provinces(era: str) -> list[tuple[str, str]]:
    """(code, name) of every province of an era: 63 before 1 July 2025, 34 after."""
    rows = legacy_units() if era == "legacy" else current_units()
    return [(u.code, province_name(u.name)) for u in rows if u.level == "province"]


@transaction.atomic
def province_from_units(*, code: str, era: str) -> Province:
    """The province of `era` with official `code`, created (with the standard blocks) once."""
    code = pad(int(code), "province")
    names = dict(official_provinces(era))
    if code not in names:
        raise ValueError(f"No {era} province has the code {code}.")
    current = era == "current"
    valid_from = REFORM_DATE if current else datetime.date(1900, 1, 1)
    found = Province.objects.filter(code__in={code, str(int(code))}, valid_from=valid_from).first()
    if found is not None:
        return found
    blocks_ensure()
    name = names[code]
    base = slugify(name) + ("-2025" if current else "")
    taken = set(Province.objects.values_list("slug", flat=True))
    return Province.objects.create(
        code=code,
        name=name,
        slug=unique_slug(base, taken, suffix=code),
        valid_from=valid_from,
        valid_to=None if current else LEGACY_END,
    )
