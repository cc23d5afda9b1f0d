"""`manage.py create_api_token <username> [--days N]`: print a new API token, once."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import tokens


class Command(BaseCommand):
    help = "Make an API token for a user and print it (only a digest is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days until it expires (default API_TOKEN_DAYS, {settings.API_TOKEN_DAYS}).",
        )

    def handle(self, *args, username, days, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"{username!r} is deactivated; reactivate the account first.")
        if days is not None and not 1 <= days <= 3650:
            raise CommandError("--days must be 1 to 3650.")
        row, token = tokens.issue(user, days=days)
        self.stderr.write(
            f"Token for {username}, expires {row.expiry:%Y-%m-%d %H:%M %Z}. It is shown once; "
            "send it as `Authorization: Token <token>`."
        )
        self.stdout.write(token)
