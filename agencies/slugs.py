"""One Vietnamese-aware slugify for every public URL and import key.

Django's `slugify` drops "đ" and the letters that carry a combining mark it cannot fold,
and the admin's JavaScript prepopulation turns "Đắk Nông" into "djk-nong". Here
"đ"/"Đ" become "d", diacritics are removed after canonical decomposition, and every
letter and digit is kept; any run of other characters becomes one hyphen.
"""

import re
import unicodedata

_SEPARATORS = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """Vietnamese text without diacritics, case kept: "Đắk Nông" → "Dak Nong"."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str, *, max_length: int | None = None) -> str:
    """ "Sở Y tế" → "so-y-te", "Sở Lao động, Thương binh và Xã hội" →
    "so-lao-dong-thuong-binh-va-xa-hoi". A cut to `max_length` happens between words.
    """
    slug = _SEPARATORS.sub("-", ascii_fold(text).lower()).strip("-")
    if max_length is not None and len(slug) > max_length:
        cut = slug[:max_length]
        if slug[max_length] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        slug = cut.strip("-")
    return slug


def unique_slug(base: str, taken: set[str], *, suffix: str = "") -> str:
    """`base`, or `base-suffix`, or `base-2`, `base-3` … whichever is not taken yet."""
    if base not in taken:
        return base
    if suffix and f"{base}-{suffix}" not in taken:
        return f"{base}-{suffix}"
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
