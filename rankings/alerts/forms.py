from django import forms
from django.utils.translation import gettext_lazy as _


class SubscribeForm(forms.Form):
    """An address to write to; what it follows comes from the page's URL."""

    email = forms.EmailField(
        label=_("Thư điện tử"),
        max_length=254,
        error_messages={
            "required": _("Thư điện tử: hãy nhập địa chỉ thư điện tử."),
            "invalid": _("Thư điện tử: địa chỉ không hợp lệ (ví dụ: ten@example.vn)."),
            "max_length": _("Thư điện tử: địa chỉ dài quá 254 ký tự."),
        },
    )
