"""The forms of the cycle-management page (`management_views`): one per action."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from rankings.cycles.forms import date_field
from rankings.cycles.management import EXCLUSION_MAX
from rankings.models import Submission
from rankings.name_widgets import NamesSelect

REASON_MAX = Submission._meta.get_field("extension_reason").max_length


def _reason(required=True) -> forms.CharField:
    return forms.CharField(
        label=_("Lý do"),
        required=required,
        max_length=REASON_MAX,
        error_messages={
            "required": _("Lý do: bắt buộc."),
            "max_length": _("Lý do: tối đa %(limit_value)d ký tự (đang có %(show_value)d)."),
        },
    )


class AgencyChoice(forms.ModelChoiceField):
    def __init__(self, cycle, queryset=None, **kwargs):
        super().__init__(
            label=_("Đơn vị"),
            widget=NamesSelect,
            queryset=queryset
            if queryset is not None
            else Agency.objects.filter(province=cycle.province_id, block=cycle.block_id),
            to_field_name="slug",
            error_messages={
                "required": _("Đơn vị: hãy chọn một đơn vị của khối."),
                "invalid_choice": _("Đơn vị: không có trong khối của kỳ đánh giá."),
            },
            **kwargs,
        )


class DeadlineForm(forms.Form):
    action = "deadline"
    deadline = date_field(_("Hạn nộp mới"), required=True)
    reason = _reason(required=False)
    confirm_past = forms.BooleanField(
        label=_("Tôi xác nhận hạn nộp đã qua (các đơn vị sẽ bị khoá ngay)"), required=False
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)


class ExtensionForm(forms.Form):
    action = "extend"
    until = date_field(_("Gia hạn đến ngày"), required=True)
    reason = _reason()

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"agency": AgencyChoice(cycle), **self.fields}


class ReopenForm(forms.Form):
    action = "reopen"
    reason = _reason()
    until = date_field(_("Gia hạn đến ngày (nếu hạn nộp đã qua)"))

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"agency": AgencyChoice(cycle), **self.fields}


class EndForm(forms.Form):
    """Cancel (no data) or archive (with a reason) the cycle."""

    action = "end"
    how = forms.ChoiceField(
        label=_("Cách kết thúc"),
        choices=[
            ("cancel", _("Huỷ kỳ mở nhầm (chỉ khi chưa có dữ liệu)")),
            ("archive", _("Lưu trữ, không dùng nữa (giữ dữ liệu)")),
        ],
        error_messages={"invalid_choice": _("Cách kết thúc: chỉ nhận cancel hoặc archive.")},
    )
    reason = _reason()

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)


def _correction() -> forms.BooleanField:
    return forms.BooleanField(
        label=_(
            "Cho lần đính chính tiếp theo (chỉ khi kỳ đã công bố: có hiệu lực khi công bố "
            "đính chính)"
        ),
        required=False,
    )


class ExclusionForm(forms.Form):
    """An agency the decision leaves unranked, with the decision's own words."""

    action = "exclude"
    reason = forms.CharField(
        label=_("Lý do không xếp hạng, đúng lời văn của quyết định"),
        max_length=EXCLUSION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Lý do không xếp hạng: bắt buộc, đúng lời văn của quyết định."),
            "max_length": _(
                "Lý do không xếp hạng: tối đa %(limit_value)d ký tự (đang có %(show_value)d)."
            ),
        },
    )
    correction = _correction()

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"agency": AgencyChoice(cycle), **self.fields}


class InclusionForm(forms.Form):
    """Undo an exclusion: the agency is ranked by its values again."""

    action = "include"
    correction = _correction()

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        excluded = Agency.objects.filter(
            submissions__cycle=cycle, submissions__excluded_reason__gt=""
        )
        self.fields = {"agency": AgencyChoice(cycle, queryset=excluded), **self.fields}


FORMS = {
    form.action: form
    for form in (DeadlineForm, ExtensionForm, ReopenForm, EndForm, ExclusionForm, InclusionForm)
}
