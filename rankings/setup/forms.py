"""The set-up pages' forms: what each page asks, with Vietnamese labels and messages."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Block
from rankings import wording
from rankings.models import CriteriaSet, Role, Rounding, SourceKind, TieMethod
from rankings.name_widgets import NamesSelect
from rankings.setup.tables import MAX_UPLOAD_BYTES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# English text typed in a Vietnamese page is marked as English.
ENGLISH = forms.TextInput(attrs={"lang": "en"})


class BlockChoiceField(forms.ModelChoiceField):
    """A block by its name in the page's language."""

    def label_from_instance(self, obj) -> str:
        return wording.block_name(obj)


class UploadForm(forms.Form):
    """A file to preview; on confirmation the preview's `digest` stands for the same file."""

    file = forms.FileField(
        label=_("Tệp .xlsx hoặc .csv"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    digest = forms.CharField(required=False, widget=forms.HiddenInput)
    file_name = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None and not data.get("digest"):
            raise forms.ValidationError(_("Hãy chọn tệp .xlsx hoặc .csv."))
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Tệp nặng hơn giới hạn %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES >> 20}
            )
        return data


class BlockForm(forms.Form):
    name = forms.CharField(label=_("Tên khối"), max_length=120)
    name_en = forms.CharField(
        label=_("Tên tiếng Anh"), max_length=120, required=False, widget=ENGLISH
    )


class AnnexForm(UploadForm):
    block = BlockChoiceField(label=_("Khối"), queryset=Block.objects.all())
    name = forms.CharField(label=_("Tên bộ tiêu chí"), max_length=250)
    name_en = forms.CharField(
        label=_("Tên tiếng Anh"), max_length=250, required=False, widget=ENGLISH
    )
    max_points = forms.DecimalField(
        label=_("Điểm tối đa"), min_value=0.001, max_digits=9, decimal_places=3, localize=True
    )
    decision_number = forms.CharField(label=_("Số quyết định ban hành"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=120, required=False)
    tie_method = forms.ChoiceField(
        label=_("Quy tắc đồng hạng"), choices=TieMethod.choices, initial=TieMethod.COMPETITION
    )
    replace = forms.ModelChoiceField(
        label=_("Thay cây tiêu chí của bộ chưa công bố"),
        queryset=CriteriaSet.objects.none(),
        required=False,
        empty_label=_("— Tạo bộ tiêu chí mới —"),
    )

    def __init__(self, *args, editable=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editable is not None:
            self.fields["replace"].queryset = editable


class StaffForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử"))
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    agency = forms.ModelChoiceField(
        label=_("Cơ quan, đơn vị (với vai trò của đơn vị)"),
        queryset=Agency.objects.none(),
        required=False,
        widget=NamesSelect,
    )

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        if province is not None:
            self.fields["agency"].queryset = Agency.objects.filter(province=province)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Vai trò mới"), choices=Role.choices)
    agency = forms.ModelChoiceField(
        label=_("Cơ quan, đơn vị"),
        queryset=Agency.objects.none(),
        required=False,
        widget=NamesSelect,
    )

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        if province is not None:
            self.fields["agency"].queryset = Agency.objects.filter(province=province)


class BackfillForm(UploadForm):
    block = BlockChoiceField(label=_("Khối"), queryset=Block.objects.all())
    year = forms.IntegerField(label=_("Năm đánh giá"), min_value=2000, max_value=2100)
    max_points = forms.DecimalField(
        label=_("Điểm tối đa của bảng"),
        min_value=0.001,
        max_digits=9,
        decimal_places=3,
        localize=True,
    )
    tie_method = forms.ChoiceField(
        label=_("Quy tắc đồng hạng"), choices=TieMethod.choices, initial=TieMethod.COMPETITION
    )
    source_kind = forms.ChoiceField(
        label=_("Nguồn công bố"),
        choices=SourceKind.choices,
        initial=SourceKind.DECISION,
        widget=forms.RadioSelect,
    )
    source_date = forms.DateField(label=_("Ngày quyết định / ngày đăng"), widget=DATE)
    decision_number = forms.CharField(
        label=_("Số quyết định (nếu là quyết định)"), max_length=60, required=False
    )
    signer = forms.CharField(label=_("Người ký"), max_length=120, required=False)
    source_title = forms.CharField(
        label=_("Tên báo cáo, bài báo (nếu là nguồn khác)"), max_length=300, required=False
    )
    source_url = forms.URLField(label=_("Đường dẫn nguồn"), max_length=500, required=False)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > datetime.date.today().year:
            raise forms.ValidationError(_("Chỉ nhập lại các năm đã qua."))
        return year


class AgencyListForm(UploadForm):
    """The agency list: name, short name, kind, block, unit code, valid from/to."""


class ProvincePickForm(forms.Form):
    """The province, from vietnam-provinces (a searchable list of both eras), and for an
    operator its first administrator, who is invited by e-mail."""

    province = forms.CharField(
        label=_("Tỉnh, thành phố"),
        max_length=120,
        help_text=_(
            "Gõ vài chữ của tên rồi chọn trong danh sách; tỉnh có cả trước và sau ngày "
            "01/07/2025 thì có hai dòng."
        ),
        widget=forms.TextInput(attrs={"list": "province-options", "autocomplete": "off"}),
    )
    admin_name = forms.CharField(
        label=_("Họ và tên quản trị cấp tỉnh"), max_length=150, required=False
    )
    admin_email = forms.EmailField(label=_("Thư điện tử của quản trị cấp tỉnh"), required=False)

    def __init__(self, *args, operator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not operator:
            del self.fields["admin_name"], self.fields["admin_email"]

    def clean_province(self):
        from rankings.setup.provinces import PickRefused, province_find

        try:
            return province_find(self.cleaned_data["province"])
        except PickRefused as refused:
            raise forms.ValidationError(str(refused)) from None


class CriteriaSetForm(forms.Form):
    """The set itself in the editor: block, name, maximum, its decision and tie rule."""

    block = BlockChoiceField(label=_("Khối"), queryset=Block.objects.all())
    name = forms.CharField(label=_("Tên bộ tiêu chí"), max_length=250)
    name_en = forms.CharField(
        label=_("Tên tiếng Anh"), max_length=250, required=False, widget=ENGLISH
    )
    max_points = forms.DecimalField(
        label=_("Điểm tối đa"), min_value=0.001, max_digits=9, decimal_places=3, localize=True
    )
    decision_number = forms.CharField(
        label=_("Số quyết định ban hành"), max_length=60, required=False
    )
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE, required=False)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=120, required=False)
    tie_method = forms.ChoiceField(
        label=_("Quy tắc đồng hạng"), choices=TieMethod.choices, initial=TieMethod.COMPETITION
    )
    statistics_precision = forms.IntegerField(
        label=_("Số chữ số thập phân của trung bình, trung vị"),
        min_value=0,
        max_value=4,
        required=False,
        help_text=_("Như quyết định in điểm trung bình của khối: 49,8631 là 4 chữ số."),
    )
    statistics_rounding = forms.ChoiceField(
        label=_("Quy tắc làm tròn trung bình, trung vị"),
        choices=Rounding.choices,
        required=False,
    )

    @staticmethod
    def initial_of(criteria_set) -> dict:
        if criteria_set is None:
            return {
                "tie_method": TieMethod.COMPETITION,
                "statistics_precision": 4,
                "statistics_rounding": Rounding.TRUNCATE,
            }
        fields = (
            "name",
            "name_en",
            "decision_number",
            "decision_date",
            "issuer",
            "tie_method",
            "statistics_precision",
            "statistics_rounding",
        )
        initial = {name: getattr(criteria_set, name) for name in fields}
        return {**initial, "block": criteria_set.block_id, "max_points": criteria_set.max_points}
