"""Carry DRF's clear-text tokens (table `authtoken_token`) over to knox, hashed and with an
expiry, then drop that table: no token is left in clear in the database.

Integrations keep working with the token they have until it expires (`API_TOKEN_DAYS`
from this migration); a database that never had the table is left as it is.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

LEGACY = "authtoken_token"


def hash_legacy_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    expiry = timezone.now() + datetime.timedelta(days=getattr(settings, "API_TOKEN_DAYS", 90))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {LEGACY}")
        rows = cursor.fetchall()
    for key, user_id in rows:
        # knox.crypto.hash_token: SHA-512 of the token's UTF-8 bytes, as hex.
        digest = hashlib.sha512(key.encode()).hexdigest()
        AuthToken.objects.update_or_create(
            digest=digest, defaults={"token_key": key[:15], "user_id": user_id, "expiry": expiry}
        )
    schema_editor.execute(f"DROP TABLE {LEGACY}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [
        ("knox", "0009_extend_authtoken_field"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(hash_legacy_tokens, migrations.RunPython.noop)]
