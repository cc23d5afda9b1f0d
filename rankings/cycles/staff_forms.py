"""Forms of the cycle desk and dashboard: a state change (with its confirmation) and the
reminder to late agencies. Messages name the field and what is allowed, in Vietnamese."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rankings.cycles.services import CYCLE_ACTIONS

ACTION_LABELS = {
    "review": _("Kết thúc tự đánh giá, chuyển thẩm định"),
    "reopen": _("Mở lại cho đơn vị bổ sung"),
    "approve": _("Phê duyệt kết quả"),
}


class CycleTransitionForm(forms.Form):
    """Move a cycle on: to review, back to self-assessment, or approve. Moving to review
    is shown as a checklist first (`confirmed` is set by that page's button)."""

    action = forms.ChoiceField(
        label=_("Thao tác"),
        choices=[(name, ACTION_LABELS[name]) for name in CYCLE_ACTIONS],
        error_messages={
            "required": _("Thao tác: hãy chọn một thao tác."),
            "invalid_choice": _(
                "Thao tác “%(value)s” không hợp lệ; chỉ nhận: chuyển thẩm định (review), "
                "mở lại (reopen) hoặc phê duyệt (approve)."
            ),
        },
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def problems(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]


class LateReminderForm(forms.Form):
    """Remind every late agency at once; the box makes the click deliberate."""

    confirm = forms.BooleanField(
        label=_("Gửi nhắc nhở đến mọi đơn vị quá hạn chưa nộp"),
        error_messages={"required": _("Hãy đánh dấu ô xác nhận trước khi gửi nhắc nhở.")},
    )
