"""API tokens: hashed at rest, expiring, listed and revoked by their owner and the
province's administrator, revoked by a password change or a deactivation."""

import datetime
import hashlib
import importlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies.models import Province
from rankings.models import Membership, Role

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


class UpgradedMD5Hasher(MD5PasswordHasher):
    """A "newer" hasher: a password stored with MD5 is rehashed with it at login."""

    algorithm = "md5-upgraded"


PAGE = "/tai-khoan/ma-truy-cap/"


def person(name, role=None, province=None, agency=None):
    user = get_user_model().objects.create_user(name, f"{name}@example.vn", "Mat-khau-2026!")
    if role:
        Membership.objects.create(user=user, role=role, province=province, agency=agency)
    return user


def with_token(token) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def issue(user) -> str:
    out = io.StringIO()
    call_command("create_api_token", user.username, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_a_token_is_stored_only_as_a_digest_and_expires_in_90_days(world):
    user = person("tich-hop", Role.EDITOR, world.province)
    token = issue(user)
    assert len(token) == 64
    assert with_token(token).get(ME).json()["username"] == "tich-hop"
    (row,) = AuthToken.objects.filter(user=user)
    assert row.digest == hashlib.sha512(token.encode()).hexdigest()
    assert row.token_key == token[:15]
    with connection.cursor() as cursor:  # nowhere in the table is the token in clear
        cursor.execute("SELECT * FROM knox_authtoken")
        assert not any(token in str(value) for record in cursor.fetchall() for value in record)
    days = (row.expiry - timezone.now()) / datetime.timedelta(days=1)
    assert 89.9 < days <= 90


def test_an_expired_token_is_refused_and_deleted(world):
    user = person("tich-hop", Role.EDITOR, world.province)
    token = issue(user)
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - datetime.timedelta(1))
    response = with_token(token).get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_password_change_revokes_every_token(client, world):
    user = person("tich-hop", Role.EDITOR, world.province)
    tokens = [issue(user), issue(user)]
    client.force_login(user)
    response = client.post(
        "/tai-khoan/password_change/",
        {
            "old_password": "Mat-khau-2026!",
            "new_password1": "Hoa-ban-tháng-ba-2027",
            "new_password2": "Hoa-ban-tháng-ba-2027",
        },
    )
    assert response.status_code == 302
    assert [with_token(t).get(ME).status_code for t in tokens] == [401, 401]
    assert AuthToken.objects.filter(user=user).count() == 0


def test_a_login_that_rehashes_the_password_keeps_the_tokens(client, world, settings):
    user = person("tich-hop", Role.EDITOR, world.province)
    token = issue(user)
    # A hasher upgrade rewrites the stored hash at the next login; the password is the same.
    settings.PASSWORD_HASHERS = [
        "tests.accounts.test_tokens.UpgradedMD5Hasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = get_user_model().objects.get(pk=user.pk).password
    signed_in = client.post(
        "/tai-khoan/login/", {"username": "tich-hop", "password": "Mat-khau-2026!"}
    )
    assert signed_in.status_code == 302
    assert get_user_model().objects.get(pk=user.pk).password != before
    assert with_token(token).get(ME).status_code == 200


def test_deactivation_revokes_every_token(world):
    user = person("tich-hop", Role.EDITOR, world.province)
    token = issue(user)
    user.is_active = False
    user.save()
    assert with_token(token).get(ME).status_code == 401
    assert AuthToken.objects.filter(user=user).count() == 0


def test_the_owner_lists_and_revokes_through_the_api(world):
    user = person("tich-hop", Role.EDITOR, world.province)
    first, second = issue(user), issue(user)
    api = with_token(first)
    listed = api.get("/api/v1/tokens/").json()
    assert sorted(row["key"] for row in listed) == sorted([first[:15], second[:15]])
    assert {row["user"] for row in listed} == {"tich-hop"}
    assert first not in str(listed) and second not in str(listed)
    assert api.delete(f"/api/v1/tokens/{second[:15]}/").status_code == 204
    assert with_token(second).get(ME).status_code == 401
    assert api.delete(f"/api/v1/tokens/{second[:15]}/").status_code == 404


def test_the_provincial_administrator_revokes_a_user_s_token_others_cannot(world):
    reporter = person("bao-cao", Role.REPORTER, world.province, world.an)
    token = issue(reporter)
    other = Province.objects.create(code="98", name="Tỉnh Khác", slug="khac")
    outsider = with_token(issue(person("quantri-khac", Role.ADMIN, other)))
    colleague = with_token(issue(person("bien-tap", Role.EDITOR, world.province)))
    admin = with_token(issue(person("quantri", Role.ADMIN, world.province)))
    for refused in (outsider, colleague):
        assert token[:15] not in str(refused.get("/api/v1/tokens/").json())
        assert refused.delete(f"/api/v1/tokens/{token[:15]}/").status_code == 404
    assert with_token(token).get(ME).status_code == 200
    assert token[:15] in {row["key"] for row in admin.get("/api/v1/tokens/").json()}
    assert admin.delete(f"/api/v1/tokens/{token[:15]}/").status_code == 204
    assert with_token(token).get(ME).status_code == 401


def test_the_owner_s_page_makes_lists_and_revokes(client, world):
    user = person("tich-hop", Role.EDITOR, world.province)
    client.force_login(user)
    page = client.post(PAGE, {"action": "create"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    token = page.context["created"]
    html = page.content.decode()
    assert "chỉ hiển thị một lần" in html and token in html
    assert with_token(token).get(ME).status_code == 200
    again = client.get(PAGE).content.decode()
    assert token not in again and token[:15] in again  # never shown twice
    revoked = client.post(PAGE, {"action": "revoke", "key": token[:15]}, follow=True)
    assert "Đã thu hồi mã truy cập." in revoked.content.decode()
    assert with_token(token).get(ME).status_code == 401
    assert client.post(PAGE, {"action": "revoke", "key": token[:15]}).status_code == 404


def test_the_administrator_s_page_shows_the_province_s_tokens(client, world):
    token = issue(person("bao-cao", Role.REPORTER, world.province, world.an))
    client.force_login(person("quantri", Role.ADMIN, world.province))
    html = client.get(PAGE).content.decode()
    assert "Mã của người dùng trong tỉnh bạn quản trị" in html
    assert "bao-cao" in html and token[:15] in html and token not in html


def test_the_command_refuses_unknown_and_deactivated_users(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named"):
        call_command("create_api_token", "khong-co", stdout=io.StringIO())
    user = person("nghi-viec", Role.EDITOR, world.province)
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="deactivated"):
        call_command("create_api_token", "nghi-viec", stdout=io.StringIO())


def test_the_migration_hashes_the_clear_text_tokens_and_drops_their_table(world):
    user = person("tich-hop", Role.EDITOR, world.province)
    legacy = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)", [legacy, timezone.now(), user.pk]
        )
    migration = importlib.import_module("accounts.migrations.0001_hash_clear_text_api_tokens")
    from django.apps import apps

    class Editor:  # the migration's schema editor, inside the test's transaction
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.hash_legacy_tokens(apps, Editor())
    assert "authtoken_token" not in connection.introspection.table_names()
    assert with_token(legacy).get(ME).json()["username"] == "tich-hop"
    (row,) = AuthToken.objects.filter(user=user)
    assert row.digest != legacy and row.token_key == legacy[:15] and row.expiry is not None
