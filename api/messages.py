"""Refusals for the API's input fields, in the request's language (Vietnamese first):
each names the field and what it allows (DRF's own messages are English and say neither
which field nor the limit's unit). The texts are marked with gettext_noop so the catalogue
holds their English; `_(template)` translates them per request.
"""

from django.core import validators
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import serializers

TEMPLATES = {
    "required": gettext_noop("%(f)s: bắt buộc."),
    "null": gettext_noop("%(f)s: không được để trống (null)."),
    "blank": gettext_noop("%(f)s: không được để trống."),
    "max_length": gettext_noop("%(f)s: tối đa {max_length} ký tự."),
    "min_length": gettext_noop("%(f)s: tối thiểu {min_length} ký tự."),
    "max_digits": gettext_noop("%(f)s: tối đa {max_digits} chữ số."),
    "max_whole_digits": gettext_noop("%(f)s: phần nguyên tối đa {max_whole_digits} chữ số."),
    "max_decimal_places": gettext_noop("%(f)s: tối đa {max_decimal_places} chữ số thập phân."),
    "min_value": gettext_noop("%(f)s: không nhỏ hơn {min_value}."),
    "max_value": gettext_noop("%(f)s: không lớn hơn {max_value}."),
    "max_string_length": gettext_noop("%(f)s: chuỗi số quá dài."),
    "invalid_choice": gettext_noop("%(f)s: “{input}” không hợp lệ; chỉ nhận %(c)s."),
}
INVALID = {
    serializers.DecimalField: gettext_noop("%(f)s: cần một số (dấu chấm thập phân)."),
    serializers.IntegerField: gettext_noop("%(f)s: cần một số nguyên."),
    serializers.DateField: gettext_noop("%(f)s: cần một ngày dạng năm-tháng-ngày (YYYY-MM-DD)."),
    serializers.URLField: gettext_noop("%(f)s: cần một địa chỉ http(s):// hợp lệ."),
    serializers.BooleanField: gettext_noop("%(f)s: cần true hoặc false."),
    serializers.CharField: gettext_noop("%(f)s: cần một chuỗi ký tự."),
}

VALIDATORS = {
    validators.MaxLengthValidator: "max_length",
    validators.MinLengthValidator: "min_length",
    validators.MaxValueValidator: "max_value",
    validators.MinValueValidator: "min_value",
}


class VietnameseErrors:
    """Mixin for input serializers: every field's refusals in Vietnamese, with its name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            choices = ", ".join(str(key) for key in getattr(field, "choices", {}) or {})
            values = {"f": name, "c": choices}
            for key, template in TEMPLATES.items():
                if key in field.error_messages:
                    field.error_messages[key] = _(template) % values
            for validator in field.validators:  # DRF built these with its English message
                key = VALIDATORS.get(type(validator))
                if key in field.error_messages:
                    limit = {key: validator.limit_value}
                    validator.message = field.error_messages[key].format(**limit)
            for kind, template in INVALID.items():
                if isinstance(field, kind) and "invalid" in field.error_messages:
                    field.error_messages["invalid"] = _(template) % values
                    break
