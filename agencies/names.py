"""Matching agency names as people type them in spreadsheets and decisions.

A published table says "Sở Lao động - Thương binh và Xã hội" where the list says "Sở Lao
động, Thương binh và Xã hội", or "Bảo hiểm Xã hội tỉnh" for "Bảo hiểm xã hội tỉnh", or
"UBND TP Vĩnh Yên". Names are compared by a key: Unicode NFC, case folded, old and new
tone placement unified ("Hoà" = "Hòa"), common abbreviations expanded, punctuation and
spaces collapsed. Diacritics stay significant ("Tân An" is not "Tấn An"): a name that only
matches without them is not taken, it is offered as the closest candidate. Aliases an
agency has been confirmed under (`AgencyAlias`) match like its own name.
"""

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from agencies.slugs import ascii_fold

# Old-style tone placement ("hoà", "thuỷ") and new-style ("hòa", "thủy") are the same word.
_TONE_PAIRS = {
    f"{marked}{vowel}": f"{base}{unicodedata.normalize('NFC', vowel + tone)}"
    for base, vowels in (("o", "ae"), ("u", "y"))
    for vowel in vowels
    for tone in ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    for marked in [unicodedata.normalize("NFC", base + tone)]
}
_TONES = re.compile("|".join(sorted(_TONE_PAIRS, key=len, reverse=True)))
_ABBREVIATIONS = {
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "tp": "thành phố",
    "tx": "thị xã",
    "tt": "thị trấn",
    "bql": "ban quản lý",
    "kcn": "khu công nghiệp",
}
_PUNCTUATION = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """The comparison key of a name: "Sở Lao động - Thương binh và Xã hội" and "sở lao
    động, thương binh và xã hội" give the same key; "Sở Y tế" and "So Y te" do not."""
    text = unicodedata.normalize("NFC", text).casefold().replace("&", " và ")
    words = _PUNCTUATION.sub(" ", text).split()
    text = " ".join(_ABBREVIATIONS.get(word, word) for word in words)
    return _TONES.sub(lambda m: _TONE_PAIRS[m.group(0)], text)


def loose_key(text: str) -> str:
    """The key without diacritics: only to find the closest candidates, never to match."""
    return ascii_fold(name_key(text)).lower()


@dataclass(frozen=True)
class Candidate:
    """One agency a name may mean, with every name it is known by."""

    id: int
    name: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """What a name resolved to: one agency, or none with the closest candidates."""

    text: str
    agency_id: int | None
    ambiguous: tuple[Candidate, ...] = ()
    closest: tuple[Candidate, ...] = ()

    @property
    def ok(self) -> bool:
        return self.agency_id is not None

    def problem(self) -> str:
        """The Vietnamese reason this name was not matched, naming the candidates."""
        if self.ok:
            return ""
        if self.ambiguous:
            return _("tên “%(name)s” trùng với nhiều đơn vị: %(list)s") % {
                "name": self.text,
                "list": "; ".join(c.name for c in self.ambiguous),
            }
        if self.closest:
            return _("không tìm thấy đơn vị “%(name)s”; gần nhất: %(list)s") % {
                "name": self.text,
                "list": "; ".join(c.name for c in self.closest),
            }
        return _("không tìm thấy đơn vị “%(name)s” trong danh sách đơn vị của tỉnh") % {
            "name": self.text
        }


@dataclass
class NameMatcher:
    """Resolves names to agencies of one province (and block) by key, then by alias."""

    candidates: list[Candidate]
    _by_key: dict[str, set[int]] = field(default_factory=dict, init=False)
    _by_id: dict[int, Candidate] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for candidate in self.candidates:
            self._by_id[candidate.id] = candidate
            for name in candidate.names:
                if key := name_key(name):
                    self._by_key.setdefault(key, set()).add(candidate.id)

    @classmethod
    def of(cls, agencies: Iterable, aliases: Iterable[tuple[int, str]] = ()) -> "NameMatcher":
        """From agencies (`id`, `name`, `short_name`) and (agency id, alias) pairs."""
        extra: dict[int, list[str]] = {}
        for agency_id, alias in aliases:
            extra.setdefault(agency_id, []).append(alias)
        return cls(
            [
                Candidate(a.id, a.name, (a.name, a.short_name, *extra.get(a.id, ())))
                for a in agencies
            ]
        )

    def match(self, text: str) -> Match:
        text = " ".join(str(text).split())
        found = self._by_key.get(name_key(text), set())
        if len(found) == 1:
            return Match(text, next(iter(found)))
        if found:
            ambiguous = tuple(sorted((self._by_id[i] for i in found), key=lambda c: c.name))
            return Match(text, None, ambiguous=ambiguous)
        return Match(text, None, closest=self.closest(text))

    def closest(self, text: str, *, count: int = 3) -> tuple[Candidate, ...]:
        """Up to `count` agencies whose names look most like `text` (diacritics ignored)."""
        wanted = loose_key(text)
        scored = []
        for candidate in self.candidates:
            best = max(
                difflib.SequenceMatcher(None, wanted, loose_key(name)).ratio()
                for name in candidate.names
            )
            if best >= 0.6:
                scored.append((-best, candidate.name, candidate))
        return tuple(c for _, _, c in sorted(scored)[:count])
