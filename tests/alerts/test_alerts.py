"""E-mail alerts: sign up, confirm by a signed link, get one mail per publication or
correction in the language signed up in, unsubscribe in one click; throttled; CSRF.

The named world (tests/world.py): province "mau", districts An, Bình, Cát; the 2021
district cycle is published, so each `publication_create` below is a correction.
"""

import datetime
import re
import time

import pytest
from django.core import mail
from django.test import Client

from rankings.alerts import tokens
from rankings.cycles.final import final_preview
from rankings.cycles.publication import publication_create
from rankings.models import AlertSubscription

pytestmark = pytest.mark.django_db

ADDRESS = "ban.doc@example.vn"
LINK = re.compile(r"http://\S+")


def agency_form(world) -> str:
    return f"/thu-bao/{world.province.slug}/don-vi/{world.an.slug}/"


def province_form(world) -> str:
    return f"/thu-bao/{world.province.slug}/"


def sign_up(client, url: str, email: str = ADDRESS):
    return client.post(url, {"email": email})


def links(message) -> list[str]:
    return LINK.findall(message.body)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def correct(world, capture, reason: str = "Rà soát lại tiêu chí 1.2"):
    """Publish a correction of the 2021 districts and run the on-commit hooks."""
    with capture(execute=True):
        return publication_create(
            cycle=world.cycle_2021,
            decision_number="260/QĐ-UBND",
            decision_date=datetime.date(2022, 9, 1),
            reason=reason,
            preview=final_preview(cycle=world.cycle_2021).fingerprint(),
        )


def confirmed(client, world, capture, url=None, email=ADDRESS):
    with capture(execute=True):
        sign_up(client, url or agency_form(world), email)
    confirm = next(link for link in links(mail.outbox[-1]) if "/xac-nhan/" in link)
    assert client.get(path_of(confirm)).status_code == 200
    mail.outbox.clear()
    AlertSubscription.objects.update(confirmation_sent_at=None)  # the interval has passed


def test_subscribe_confirm_publish_unsubscribe_publish(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, agency_form(world))
    assert response.status_code == 302 and response["Location"] == "/thu-bao/da-gui/"
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == [ADDRESS] and "UBND huyện An" in confirmation.subject
    confirm = next(link for link in links(confirmation) if "/xac-nhan/" in link)

    correct(world, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1, "an unconfirmed address is not written to"

    page = client.get(path_of(confirm))
    assert page.status_code == 200 and "Đã xác nhận" in page.content.decode()
    correct(world, django_capture_on_commit_callbacks, reason="Sửa điểm tiêu chí 2.1")
    assert len(mail.outbox) == 2
    notice = mail.outbox[1]
    assert notice.to == [ADDRESS]
    assert "Đính chính lần 2" in notice.subject and "năm 2021" in notice.subject
    assert "Lý do đính chính: Sửa điểm tiêu chí 2.1" in notice.body
    assert "UBND huyện An: hạng 2/3, 30,000 điểm (75,0% điểm tối đa)" in notice.body
    assert "/mau/2021/districts/#correction-3" in notice.body
    unsubscribe = next(link for link in links(notice) if "/huy/" in link)
    assert notice.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # RFC 8058: the mail client posts, with no CSRF token; the signed link is the authority.
    one_click = Client(enforce_csrf_checks=True).post(path_of(unsubscribe))
    assert one_click.status_code == 200 and "Đã hủy" in one_click.content.decode()
    assert not AlertSubscription.objects.filter(email=ADDRESS).exists()
    correct(world, django_capture_on_commit_callbacks, reason="Lần nữa")
    assert len(mail.outbox) == 2, "no mail after unsubscribing"


def test_the_unsubscribe_link_asks_first_on_get(client, world, django_capture_on_commit_callbacks):
    confirmed(client, world, django_capture_on_commit_callbacks)
    link = tokens.unsubscribe_token(email=ADDRESS)
    page = client.get(f"/thu-bao/huy/{link}/")
    assert page.status_code == 200 and '<form method="post"' in page.content.decode()
    assert AlertSubscription.objects.filter(email=ADDRESS).count() == 1, "a GET changes nothing"


def test_one_mail_per_address_per_event_and_only_for_its_province(
    client, world, django_capture_on_commit_callbacks
):
    confirmed(client, world, django_capture_on_commit_callbacks)  # An
    confirmed(client, world, django_capture_on_commit_callbacks, url=province_form(world))
    # An address following another agency of the same province but not this block's:
    other = f"/thu-bao/{world.province.slug}/don-vi/{world.so_mot.slug}/"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, other, "so.mot@example.vn")
    confirm = next(link for link in links(mail.outbox[-1]) if "/xac-nhan/" in link)
    client.get(path_of(confirm))
    mail.outbox.clear()
    correct(world, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


def test_mail_is_in_the_language_of_the_sign_up(client, world, django_capture_on_commit_callbacks):
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, agency_form(world))
    assert "Confirm" in mail.outbox[0].subject, mail.outbox[0].subject
    confirm = next(link for link in links(mail.outbox[0]) if "/xac-nhan/" in link)
    client.cookies["django_language"] = "vi"  # the reader's page language changes later
    assert client.get(path_of(confirm)).status_code == 200
    correct(world, django_capture_on_commit_callbacks)
    notice = mail.outbox[-1]
    assert "Correction 1 of the ranking" in notice.subject, notice.subject
    assert "rank 2/3, 30.000 points" in notice.body and "Reason for the correction" in notice.body


def test_a_tampered_or_expired_confirmation_link_confirms_nothing(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, agency_form(world))
    confirm = path_of(next(link for link in links(mail.outbox[0]) if "/xac-nhan/" in link))
    token = confirm.split("/")[-2]
    tampered = client.get(f"/thu-bao/xac-nhan/{token[:-2]}xx/")
    assert tampered.status_code == 400 and "không hợp lệ" in tampered.content.decode()
    other_purpose = client.post(f"/thu-bao/huy/{token}/")  # a confirmation is no unsubscribe
    assert other_purpose.status_code == 400
    later = time.time() + 49 * 3600  # ALERT_CONFIRM_HOURS is 48
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    expired = client.get(confirm)
    assert expired.status_code == 400 and "hết hạn" in expired.content.decode()
    assert AlertSubscription.objects.get(email=ADDRESS).confirmed_at is None
    assert AlertSubscription.objects.filter(email=ADDRESS).count() == 1


def test_one_confirmation_per_address_per_interval_and_no_hint_of_membership(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = sign_up(client, agency_form(world))
        again = sign_up(client, agency_form(world))
        other_target = sign_up(client, province_form(world))
    assert first["Location"] == again["Location"] == other_target["Location"]
    assert len(mail.outbox) == 1, "one confirmation per address per ALERT_CONFIRMATION_MINUTES"
    confirm = next(link for link in links(mail.outbox[0]) if "/xac-nhan/" in link)
    client.get(path_of(confirm))
    AlertSubscription.objects.update(confirmation_sent_at=None)  # the interval has passed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = sign_up(client, agency_form(world))
    assert known["Location"] == first["Location"] and mail.outbox == [], "already confirmed"


def test_sign_ups_per_client_address_are_limited(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_SIGNUPS_PER_CLIENT = 2
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2):
            assert sign_up(client, agency_form(world), f"a{number}@example.vn").status_code == 302
        refused = sign_up(client, agency_form(world), "a9@example.vn")
    assert refused.status_code == 429 and "Quá nhiều lượt đăng ký" in refused.content.decode()
    assert len(mail.outbox) == 2
    assert not AlertSubscription.objects.filter(email="a9@example.vn").exists()


def test_sign_ups_per_address_are_limited_silently(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_SIGNUPS_PER_CLIENT = 2
    addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(province_form(world), {"email": ADDRESS}, REMOTE_ADDR=address)
            for address in addresses
        ]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert AlertSubscription.objects.filter(email=ADDRESS).count() == 1


def test_the_sign_up_form_needs_its_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(agency_form(world))
    assert page.status_code == 200 and 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert strict.post(agency_form(world), {"email": ADDRESS}).status_code == 403
    token = strict.cookies["csrftoken"].value
    posted = strict.post(agency_form(world), {"email": ADDRESS, "csrfmiddlewaretoken": token})
    assert posted.status_code == 302
    assert AlertSubscription.objects.filter(email=ADDRESS).count() == 1


@pytest.mark.parametrize("email", ["", "khong-phai-dia-chi", "a" * 250 + "@example.vn"])
def test_a_bad_address_is_refused_naming_the_field(client, world, email):
    response = sign_up(client, agency_form(world), email)
    assert response.status_code == 400
    assert "Thư điện tử:" in response.content.decode()
    assert not AlertSubscription.objects.exists() and mail.outbox == []


def test_an_unknown_province_or_agency_is_404(client, world):
    assert client.get("/thu-bao/khong-co/").status_code == 404
    assert client.post(f"/thu-bao/{world.province.slug}/don-vi/khong-co/").status_code == 404


def test_a_failing_mail_server_does_not_fail_the_publication(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    confirmed(client, world, django_capture_on_commit_callbacks)

    class Broken:
        def send_messages(self, messages):
            raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("rankings.alerts.services.get_connection", lambda: Broken())
    publication = correct(world, django_capture_on_commit_callbacks)
    assert publication.revision == 2 and mail.outbox == []


def test_alert_page_queries_are_pinned(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(agency_form(world)).status_code == 200
    # target, lock, insert, interval, update, savepoints; the mail's job: its lookup, insert
    with django_assert_max_num_queries(12):
        assert sign_up(client, agency_form(world)).status_code == 302


def test_announcing_reads_a_fixed_number_of_queries_whatever_the_subscribers(
    client, world, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from rankings.alerts import services
    from rankings.alerts.models import AlertSubscription as Subscription
    from rankings.models import Publication

    now = world.cycle_2021.publications.get().published_at
    for number in range(12):
        Subscription.objects.create(
            email=f"d{number}@example.vn",
            province=world.province,
            agency=[world.an, world.binh, world.cat, None][number % 4],
            language=["vi", "en"][number % 2],
            confirmed_at=now,
        )
    publication = Publication.objects.get(cycle=world.cycle_2021)
    with django_assert_max_num_queries(3):  # the publication, its results, the subscribers
        sent = services.publication_announce(publication=publication)
    assert sent == 12 and len(mail.outbox) == 12
    english = next(m for m in mail.outbox if m.to == ["d1@example.vn"])
    assert "UBND huyện Bình: rank 1/3, 33.000 points" in english.body
