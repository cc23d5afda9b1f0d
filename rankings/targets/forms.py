"""The staff form of one target: the agency offered is what the user may record for."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Block
from rankings.name_widgets import NamesSelect
from rankings.setup.tables import decimal
from rankings.targets.models import ENTERED_FIELDS, YEAR_MAX, YEAR_MIN, Target


class LocalDecimalField(forms.Field):
    """A number typed the Vietnamese way (80,5 or 1.000,5) or with a point (80.5)."""

    def to_python(self, value) -> Decimal | None:
        text = str(value).strip() if value not in (None, "") else ""
        if not text:
            return None
        number = decimal(text[:40])
        if number is None or not number.is_finite() or abs(number) >= Decimal(10) ** 12:
            raise forms.ValidationError(
                _("%(label)s: “%(value)s” không phải số (ví dụ 80 hoặc 80,5)."),
                params={"label": self.label, "value": text[:30]},
            )
        return number.quantize(Decimal("0.001"))

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f").replace(".", ",")
        return value


class TargetForm(forms.ModelForm):
    value = LocalDecimalField(
        label=_("Giá trị mục tiêu"),
        error_messages={"required": _("Giá trị mục tiêu: bắt buộc.")},
    )
    baseline_value = LocalDecimalField(label=_("Giá trị năm gốc"), required=False)

    class Meta:
        model = Target
        fields = list(ENTERED_FIELDS)
        widgets = {"note": forms.Textarea(attrs={"rows": 2}), "agency": NamesSelect}
        error_messages = {
            "indicator": {"required": _("Chỉ tiêu: hãy nhập tên chỉ tiêu.")},
            "measure": {
                "required": _("Đo bằng: hãy chọn."),
                "invalid_choice": _("Đo bằng: lựa chọn không hợp lệ."),
            },
            "year": {
                "required": _("Năm mục tiêu: bắt buộc."),
                "invalid": _("Năm mục tiêu: nhập một số nguyên."),
            },
            "baseline_year": {"invalid": _("Năm gốc: nhập một số nguyên.")},
            "agency": {
                "invalid_choice": _("Cơ quan: không thuộc các đơn vị bạn được ghi chỉ tiêu.")
            },
            "block": {"invalid_choice": _("Khối: lựa chọn không hợp lệ.")},
            "comparison": {"invalid_choice": _("So sánh: lựa chọn không hợp lệ.")},
        }

    def __init__(self, *args, province, agencies, province_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.province = province
        agency = self.fields["agency"]
        agency.queryset = agencies  # type: ignore[attr-defined]
        agency.required = not province_wide
        agency.empty_label = _("— Toàn tỉnh (mọi đơn vị) —") if province_wide else None  # type: ignore[attr-defined]
        agency.error_messages["required"] = _("Cơ quan: hãy chọn đơn vị.")
        if not province_wide:
            agency.help_text = ""  # "empty: province-wide" is not theirs to choose
        self.fields["criterion_code"].help_text = _(
            "Ví dụ 2.3.1; bắt buộc khi đo bằng một tiêu chí, để trống với chỉ tiêu khác."
        )
        if province_wide:
            self.fields["block"].queryset = Block.objects.order_by("order")  # type: ignore[attr-defined]
        else:
            del self.fields["block"]
        for name in ("year", "baseline_year"):
            self.fields[name].widget.attrs.update(min=YEAR_MIN, max=YEAR_MAX)


def agencies_for(*, province, province_wide: bool, own_ids: set[int]):
    found = Agency.objects.filter(province=province).select_related("block").order_by("name")
    return found if province_wide else found.filter(pk__in=own_ids)
