"""Forms of the staff and agency pages: every limit is the database column's, read from
the model field, so a value the database would refuse is refused here first, with the
field's name and what is allowed (never a 500)."""

from decimal import Decimal

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rankings import formatting, wording
from rankings.models import (
    YEAR_MAX,
    YEAR_MIN,
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    Evidence,
    Publication,
    Review,
    Score,
)
from rankings.wording import interpolate_lazy


def _limits(model, name: str) -> dict:
    field = model._meta.get_field(name)
    return {"max_digits": field.max_digits, "decimal_places": field.decimal_places}


class RawNumberField(forms.DecimalField):
    """A raw input (a, b, a count) as the `Score.value` column stores it: at most
    max_digits digits with decimal_places after the point, not negative. Accepts the
    Vietnamese decimal comma and spaces between thousands."""

    def __init__(self, *, label, positive: bool = False, **kwargs):
        limits = _limits(Score, "value")
        whole = limits["max_digits"] - limits["decimal_places"]
        words = _("tối đa %(d)s chữ số, trong đó %(p)s chữ số thập phân (phần nguyên %(w)s chữ số)")
        shape = words % {"d": limits["max_digits"], "p": limits["decimal_places"], "w": whole}
        messages = {
            "invalid": interpolate_lazy(
                _("%(f)s: không phải là số; cần một số không âm, %(s)s."), {"f": label, "s": shape}
            ),
            "max_digits": interpolate_lazy(_("%(f)s: quá lớn; %(s)s."), {"f": label, "s": shape}),
            "max_whole_digits": interpolate_lazy(
                _("%(f)s: quá lớn; %(s)s."), {"f": label, "s": shape}
            ),
            "max_decimal_places": interpolate_lazy(
                _("%(f)s: quá nhiều chữ số thập phân; %(s)s."), {"f": label, "s": shape}
            ),
            "min_value": interpolate_lazy(_("%(f)s: không được âm."), {"f": label}),
        }
        super().__init__(
            label=label,
            required=False,
            min_value=Decimal(0),
            error_messages=messages,
            **limits,
            **kwargs,
        )
        if positive:  # a denominator: the column refuses 0 (`score_denominator_positive`)
            self.validators.append(_positive(label))

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        if isinstance(value, str) and len(value) > 100:  # no need to parse a novel
            raise forms.ValidationError(self.error_messages["max_digits"], code="max_digits")
        return super().to_python(value)


def _positive_message(label) -> str:
    return _("%(f)s: mẫu số phải lớn hơn 0.") % {"f": label}


def _positive(label):
    def check(value):
        if value is not None and value <= 0:
            raise forms.ValidationError(_positive_message(label), code="positive")

    return check


def _choice_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=Score._meta.get_field("choice").max_length,
        error_messages={
            "max_length": interpolate_lazy(
                _("%(f)s: tối đa %%(limit_value)d ký tự."), {"f": label}
            ),
        },
    )


def _decimal(size: str) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "size": size})


class SelfAssessmentForm(forms.Form):
    """An agency's raw inputs for every criterion of the set: `v-<code>` (a or the value),
    `d-<code>` (b of a ratio), `c-<code>` (a choice)."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            code = criterion.code
            a = _("a") if criterion.rule == "ratio" else _("giá trị")
            # Text, not type=number: the decimal comma and spaces between thousands are typed.
            size = "6" if criterion.rule == "ratio" else "8"
            self.fields[f"v-{code}"] = RawNumberField(label=f"{code} ({a})", widget=_decimal(size))
            self.fields[f"d-{code}"] = RawNumberField(label=f"{code} (b)", widget=_decimal(size))
            self.fields[f"c-{code}"] = _choice_field(f"{code} ({_('lựa chọn')})")

    def clean(self):
        data = super().clean()
        # With a value and no other error, the engine says it (with the rest of its
        # problems); when another field is already refused the engine will not run, so the
        # zero denominator is marked on its own field now.
        refused_elsewhere = bool(self._errors)
        for criterion in self.criteria:
            code = criterion.code
            b = data.get(f"d-{code}")
            if b is None or b > 0:
                continue
            if data.get(f"v-{code}") is None:
                self.add_error(
                    f"d-{code}",
                    _("Tiêu chí %(c)s: %(m)s") % {"c": code, "m": _("mẫu số (b) phải lớn hơn 0")},
                )
            elif refused_elsewhere:
                self.add_error(f"d-{code}", _positive_message(f"{code} (b)"))
        return data

    def problems(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]


class ReviewForm(forms.Form):
    """The council's decision on one criterion; the same choices as the API's."""

    ACTIONS = [Review.ACCEPTED, Review.ADJUSTED, Review.RETURNED]

    criterion = forms.CharField(
        label=_("Tiêu chí"), max_length=Criterion._meta.get_field("code").max_length
    )
    action = forms.ChoiceField(
        label=_("Kết quả thẩm định"),
        choices=[(a.value, a.label) for a in ACTIONS],
        error_messages={
            "required": _("Kết quả thẩm định: hãy chọn accepted, adjusted hoặc returned."),
            "invalid_choice": _(
                "Kết quả thẩm định “%(value)s” không hợp lệ; chỉ nhận accepted (Chấp nhận), "
                "adjusted (Điều chỉnh) hoặc returned (Cần bổ sung minh chứng)."
            ),
        },
    )
    value = RawNumberField(label=_("Giá trị (a)"))
    denominator = RawNumberField(label=_("Mẫu số (b)"), positive=True)
    choice = _choice_field(_("Lựa chọn"))
    comment = forms.CharField(
        label=_("Nhận xét"),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Nhận xét: tối đa %(limit_value)d ký tự.")},
    )
    version = forms.CharField(required=False, max_length=200)

    def problems(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]


def _length_message(label) -> dict:
    return {
        "max_length": interpolate_lazy(
            _("%(f)s dài %%(show_value)d ký tự; tối đa %%(limit_value)d ký tự."), {"f": label}
        )
    }


class EvidenceForm(forms.ModelForm):
    """Evidence for one criterion: a file or an http(s) link, with the document's number,
    title, date and summary; lengths are the columns'."""

    criterion = forms.CharField(
        label=_("Tiêu chí"), max_length=Criterion._meta.get_field("code").max_length
    )

    class Meta:
        model = Evidence
        fields = ["document_number", "title", "issued_on", "summary", "url", "file"]
        widgets = {
            "issued_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "summary": forms.TextInput,
            "file": forms.FileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}),
        }
        error_messages = {
            "url": {
                **_length_message(_("Đường dẫn minh chứng")),
                "invalid": _("Đường dẫn minh chứng không hợp lệ; cần một địa chỉ http(s)://."),
            },
            "title": _length_message(_("Trích yếu")),
            "document_number": _length_message(_("Số văn bản")),
            "issued_on": {
                "invalid": _("Ngày ban hành không hợp lệ; nhập theo dạng năm-tháng-ngày.")
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["url"].validators.append(
            URLValidator(
                schemes=["http", "https"], message=self.Meta.error_messages["url"]["invalid"]
            )
        )

    def clean_title(self) -> str:
        return self.cleaned_data["title"] or str(_("(không có trích yếu)"))

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "criterion_code": data["criterion"],
            "document_number": data["document_number"],
            "title": data["title"],
            "issued_on": data["issued_on"],
            "summary": data["summary"],
            "url": data["url"],
            "file": data["file"] or None,
        }

    def problems(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]


def date_field(label, required=False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "invalid": interpolate_lazy(
                _("%(f)s: ngày không hợp lệ (năm-tháng-ngày)."), {"f": label}
            )
        },
    )


class CycleOpenForm(forms.Form):
    """Open a year's cycle from a copy of a criteria set: the year within the database's
    bounds, the data window in order, a past deadline only when confirmed."""

    source = forms.ModelChoiceField(
        label=_("Sao chép từ bộ tiêu chí"),
        queryset=CriteriaSet.objects.none(),
        error_messages={
            "required": _("Hãy chọn bộ tiêu chí nguồn."),
            "invalid_choice": _("Bộ tiêu chí nguồn không có trong tỉnh này."),
        },
    )
    year = forms.IntegerField(
        label=_("Năm đánh giá"),
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages={
            "required": _("Năm đánh giá: bắt buộc."),
            "invalid": interpolate_lazy(
                _("Năm đánh giá: cần một số nguyên từ %(a)s đến %(b)s."),
                {"a": YEAR_MIN, "b": YEAR_MAX},
            ),
            "min_value": interpolate_lazy(
                _("Năm đánh giá: từ %(a)s đến %(b)s."), {"a": YEAR_MIN, "b": YEAR_MAX}
            ),
            "max_value": interpolate_lazy(
                _("Năm đánh giá: từ %(a)s đến %(b)s."), {"a": YEAR_MIN, "b": YEAR_MAX}
            ),
        },
    )
    submission_deadline = date_field(_("Hạn nộp tự đánh giá"))
    data_from = date_field(_("Số liệu từ ngày"))
    data_to = date_field(_("Số liệu đến ngày"))
    confirm_past_deadline = forms.BooleanField(
        label=_("Tôi xác nhận hạn nộp đã qua (các đơn vị sẽ bị khoá ngay)"), required=False
    )

    def __init__(self, *args, province, sets, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province
        self.fields["source"].queryset = sets
        self.fields["source"].label_from_instance = wording.criteria_set_name
        self.fields["source"].empty_label = _("— Chọn bộ tiêu chí —")

    def clean(self):
        data = super().clean()
        start, end = data.get("data_from"), data.get("data_to")
        if start and end and start > end:
            self.add_error(
                "data_to",
                _("Số liệu đến ngày (%(e)s) phải từ ngày %(s)s trở đi.")
                % {"e": formatting.day(end), "s": formatting.day(start)},
            )
        deadline = data.get("submission_deadline")
        if deadline and deadline < timezone.localdate() and not data.get("confirm_past_deadline"):
            self.add_error(
                "submission_deadline",
                _(
                    "Hạn nộp %(d)s đã qua: mọi đơn vị sẽ bị khoá ngay khi mở kỳ. Chọn hạn khác, "
                    "hoặc đánh dấu ô xác nhận nếu đúng là cố ý."
                )
                % {"d": formatting.day(deadline)},
            )
        source, year = data.get("source"), data.get("year")
        if (
            source
            and year
            and AssessmentCycle.objects.filter(
                province=self.province, block=source.block_id, year=year
            ).exists()
        ):
            self.add_error("year", _("Đã có kỳ đánh giá năm %(y)s cho khối này.") % {"y": year})
        return data


class PublishForm(forms.Form):
    """The decision that publishes (or corrects) a ranking; lengths are the columns'."""

    decision_number = forms.CharField(
        label=_("Số quyết định"),
        max_length=Publication._meta.get_field("decision_number").max_length,
        error_messages={
            "required": _("Số quyết định: bắt buộc."),
            **_length_message(_("Số quyết định")),
        },
    )
    decision_date = date_field(_("Ngày quyết định"), required=True)
    signer = forms.CharField(
        label=_("Người ký"),
        required=False,
        max_length=Publication._meta.get_field("signer").max_length,
        error_messages=_length_message(_("Người ký")),
    )
    reason = forms.CharField(label=_("Lý do đính chính"), required=False, max_length=2000)

    def __init__(self, *args, correction: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.correction = correction

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if self.correction and not reason:
            raise forms.ValidationError(
                _("Kỳ đã công bố: lần công bố mới là đính chính và cần lý do.")
            )
        return reason

    def problems(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]
