"""A drop-down of proper names (agencies): in English mode each named option is marked
`lang="vi"`, as the pages mark the same names in text (issue #23)."""

from django import forms
from django.utils import translation


class NamesSelect(forms.Select):
    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in (None, "") and (translation.get_language() or "").startswith("en"):
            option["attrs"]["lang"] = "vi"
        return option
