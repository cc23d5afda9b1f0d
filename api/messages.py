"""Vietnamese refusals for the API's input fields: each names the field and what it
allows (DRF's own messages are English and say neither which field nor the limit's unit).
"""

from django.core import validators
from django.utils.translation import gettext as _
from rest_framework import serializers

TEMPLATES = {
    "required": "%(f)s: bắt buộc.",
    "null": "%(f)s: không được để trống (null).",
    "blank": "%(f)s: không được để trống.",
    "max_length": "%(f)s: tối đa {max_length} ký tự.",
    "min_length": "%(f)s: tối thiểu {min_length} ký tự.",
    "max_digits": "%(f)s: tối đa {max_digits} chữ số.",
    "max_whole_digits": "%(f)s: phần nguyên tối đa {max_whole_digits} chữ số.",
    "max_decimal_places": "%(f)s: tối đa {max_decimal_places} chữ số thập phân.",
    "min_value": "%(f)s: không nhỏ hơn {min_value}.",
    "max_value": "%(f)s: không lớn hơn {max_value}.",
    "max_string_length": "%(f)s: chuỗi số quá dài.",
    "invalid_choice": "%(f)s: “{input}” không hợp lệ; chỉ nhận %(c)s.",
}
INVALID = {
    serializers.DecimalField: "%(f)s: cần một số (dấu chấm thập phân).",
    serializers.IntegerField: "%(f)s: cần một số nguyên.",
    serializers.DateField: "%(f)s: cần một ngày dạng năm-tháng-ngày (YYYY-MM-DD).",
    serializers.URLField: "%(f)s: cần một địa chỉ http(s):// hợp lệ.",
    serializers.BooleanField: "%(f)s: cần true hoặc false.",
    serializers.CharField: "%(f)s: cần một chuỗi ký tự.",
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
