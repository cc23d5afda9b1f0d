"""Forms of the import page: the upload, then the confirmation of a previewed file."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from rankings.imports.types import MAX_UPLOAD_BYTES

PROGRESS_TOKEN = re.compile(r"[A-Za-z0-9]{16,64}")


class ProgressForm(forms.Form):
    # The page's random key for its progress bar; a bad one only means no progress shown.
    progress_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_progress_token(self) -> str:
        token = self.cleaned_data["progress_token"]
        return token if PROGRESS_TOKEN.fullmatch(token) else ""


class ImportUploadForm(ProgressForm):
    """A spreadsheet to check and preview; nothing is written yet."""

    file = forms.FileField(
        label=_("Tệp .xlsx hoặc .csv (tối đa 5 MB)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet,text/csv"
            }
        ),
        error_messages={
            "required": _("Tệp: hãy chọn tệp .xlsx hoặc .csv."),
            "empty": _("Tệp: tệp đã chọn rỗng."),
            "invalid": _("Tệp: không đọc được tệp tải lên."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Tệp nặng hơn giới hạn %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES >> 20},
                code="too_large",
            )
        return upload

    @property
    def too_large(self) -> bool:
        return self.has_error("file", "too_large")


class ImportConfirmForm(ProgressForm):
    """Apply the previewed file: its digest and format name the kept copy; a correction
    of a published cycle needs a reason."""

    digest = forms.RegexField(regex=r"^[A-Za-z0-9]{1,128}$", widget=forms.HiddenInput)
    format = forms.ChoiceField(choices=[("xlsx", "xlsx"), ("csv", "csv")], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Lý do đính chính (bắt buộc vì kỳ đã công bố)"),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Lý do: tối đa %(limit_value)d ký tự.")},
    )
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, published: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = published
        self.fields["reason"].error_messages["required"] = _(
            "Lý do đính chính: bắt buộc vì kỳ đã công bố."
        )
