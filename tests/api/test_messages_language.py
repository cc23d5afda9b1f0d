"""API messages follow Accept-Language (Vietnamese by default); DRF's own strings included."""

import pytest

pytestmark = pytest.mark.django_db

RANKING = "/api/v1/rankings/?province=mau&year=2020&block=districts"


def throttle_to_two(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "anon": "2/minute"},
    }


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại sau 60 giây."),
        ("vi-VN,vi;q=0.9", "Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại sau 60 giây."),
        ("en-US,en;q=0.9", "Too many requests in a short time; try again in 60 seconds."),
    ],
)
def test_throttled_message_in_the_language_asked(client, world, settings, accept, expected):
    throttle_to_two(settings)
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    for _ in range(2):
        assert client.get("/api/v1/blocks/", **headers).status_code == 200
    response = client.get("/api/v1/blocks/", **headers)
    body = response.json()
    assert response.status_code == 429 and body["error"]["code"] == "throttled"
    assert body["error"]["message"] == expected


def test_drf_strings_are_vietnamese_by_default_and_english_on_request(client, world):
    response = client.post("/api/v1/cycles/mau/2021/districts/transitions/", {})
    assert response.status_code in {401, 403}
    assert response.json()["error"]["message"] == (
        "Chưa gửi thông tin xác thực (token hoặc phiên đăng nhập)."
    )
    english = client.post(
        "/api/v1/cycles/mau/2021/districts/transitions/", {}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["error"]["message"] == "Authentication credentials were not provided."


def test_the_site_itself_ignores_accept_language(client, world):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in page


def test_etag_differs_by_language(client, world):
    vietnamese = client.get(RANKING)
    english = client.get(RANKING, HTTP_ACCEPT_LANGUAGE="en")
    assert vietnamese.status_code == english.status_code == 200
    assert vietnamese["ETag"] != english["ETag"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", ["value: cần một số (dấu chấm thập phân).", "choice: tối đa 40 ký tự."]),
        ("en", ["value: a number is needed (decimal point).", "choice: at most 40 characters."]),
    ],
)
def test_input_refusals_name_the_field_in_the_language_asked(language, expected):
    from django.utils import translation

    from api.serializers import ScoreInput

    with translation.override(language):
        form = ScoreInput(data={"value": "many", "choice": "x" * 41})
        assert not form.is_valid()
        assert [form.errors["value"][0], form.errors["choice"][0]] == expected
