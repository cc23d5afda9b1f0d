"""Form fields declared when their module is imported keep their messages lazy: a message
is written in the language of the page that shows it, not of whoever imported the module
first (the review desk's messages stayed Vietnamese on English pages)."""

import pytest
from django.utils import translation

from rankings.cycles.forms import CycleOpenForm, ReviewForm
from rankings.models import CriteriaSet


def review_errors(language: str) -> list[str]:
    with translation.override(language):
        form = ReviewForm(data={"criterion": "1.1", "action": "adjusted", "value": "ba"})
        assert not form.is_valid()
        return [str(message) for message in form.errors["value"]]


def test_a_review_value_error_is_written_in_the_page_language():
    assert review_errors("vi") == [
        "Giá trị (a): không phải là số; cần một số không âm, tối đa 15 chữ số, trong đó "
        "3 chữ số thập phân (phần nguyên 12 chữ số)."
    ]
    english = review_errors("en")
    assert english[0].startswith("Value (a): not a number; a non-negative number is needed")
    assert review_errors("vi")[0].startswith("Giá trị (a): không phải là số")  # and back


@pytest.mark.django_db
def test_the_year_bounds_of_a_new_cycle_in_each_language():
    for language, start in (("en", "Assessment year: from"), ("vi", "Năm đánh giá: từ")):
        with translation.override(language):
            form = CycleOpenForm(
                data={"year": "1800"}, province=None, sets=CriteriaSet.objects.none()
            )
            assert not form.is_valid()
            assert str(form.errors["year"][0]).startswith(start), form.errors["year"]
