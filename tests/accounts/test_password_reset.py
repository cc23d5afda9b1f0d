"""Password reset: the site's own Vietnamese pages, throttled per address and per client,
or switched off by PASSWORD_RESET_ENABLED."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

pytestmark = pytest.mark.django_db

RESET = "/tai-khoan/password_reset/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def official(db):
    return get_user_model().objects.create_user("can-bo", "can-bo@vinhphuc.gov.vn", "Cu-2026!")


def ask(client, email, client_ip="203.0.113.9"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=client_ip)


def test_the_pages_are_the_site_s_in_vietnamese(client, official):
    page = client.get(RESET).content.decode()
    assert "Quên mật khẩu" in page and 'for="id_email"' in page
    assert "Django" not in page and "site-header" in page
    done = ask(client, "can-bo@vinhphuc.gov.vn")
    assert done.status_code == 302 and done["Location"] == RESET + "done/"
    assert "Kiểm tra hộp thư" in client.get(done["Location"]).content.decode()
    (message,) = mail.outbox
    assert message.subject == "Đặt lại mật khẩu — Xếp hạng chính quyền điện tử"
    assert "Xin chào can-bo" in message.body
    link = re.search(r"http://testserver(/tai-khoan/reset/\S+/)", message.body)[1]
    form = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    url = form.redirect_chain[-1][0]
    new = "Sen-hồng-tháng-năm-2027"
    complete = client.post(url, {"new_password1": new, "new_password2": new}, follow=True)
    assert "Đã đặt mật khẩu mới" in complete.content.decode()
    signed_in = client.post("/tai-khoan/login/", {"username": "can-bo", "password": new})
    assert signed_in.status_code == 302


def test_one_address_gets_at_most_three_mails_an_hour(client, official):
    # Before: six mails in 0.4 s. The answer stays the same, so it reveals nothing.
    answers = [ask(client, "can-bo@vinhphuc.gov.vn", f"203.0.113.{n}") for n in range(6)]
    assert [a.status_code for a in answers] == [302] * 6
    assert len(mail.outbox) == 3


def test_one_client_gets_429_after_ten_requests_an_hour(client, official):
    answers = [ask(client, f"nguoi-{n}@example.vn").status_code for n in range(12)]
    assert answers == [302] * 10 + [429] * 2
    page = ask(client, "can-bo@vinhphuc.gov.vn")
    assert page.status_code == 429
    assert "Quá nhiều yêu cầu đặt lại mật khẩu" in page.content.decode()
    assert mail.outbox == []
    # Another client is not held back by that one.
    assert ask(client, "can-bo@vinhphuc.gov.vn", "198.51.100.7").status_code == 302
    assert len(mail.outbox) == 1


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, official):
    response = ask(client, "khong-co@example.vn")
    assert response.status_code == 302 and response["Location"] == RESET + "done/"
    assert mail.outbox == []


def test_switched_off_the_pages_are_gone_and_login_says_whom_to_ask(client, official, settings):
    settings.PASSWORD_RESET_ENABLED = False
    for path in (RESET, RESET + "done/", "/tai-khoan/reset/MQ/x-y/", "/tai-khoan/reset/done/"):
        assert client.get(path).status_code == 404, path
    assert ask(client, "can-bo@vinhphuc.gov.vn").status_code == 404
    assert mail.outbox == []
    login = client.get("/tai-khoan/login/").content.decode()
    assert RESET not in login and "liên hệ quản trị viên của tỉnh" in login
    settings.PASSWORD_RESET_ENABLED = True
    assert RESET in client.get("/tai-khoan/login/").content.decode()


def test_the_password_change_page_is_the_site_s(client, official):
    client.force_login(official)
    page = client.get("/tai-khoan/password_change/").content.decode()
    assert "Đổi mật khẩu" in page and "site-header" in page and "Django" not in page
