"""Forms of the cycle dashboard: the reminder to late agencies, with its message in Vietnamese."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LateReminderForm(forms.Form):
    """Remind every late agency at once; the box makes the click deliberate."""

    confirm = forms.BooleanField(
        label=_("Gửi nhắc nhở đến mọi đơn vị quá hạn chưa nộp"),
        error_messages={"required": _("Hãy đánh dấu ô xác nhận trước khi gửi nhắc nhở.")},
    )
