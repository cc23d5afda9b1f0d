"""The one shell step of a new province: its first administrator, with an invitation.

    python manage.py create_province_admin --email qtv@caobang.gov.vn --name "Nguyễn Văn A"
    python manage.py create_province_admin --province 04 --era legacy --email qtv@caobang.gov.vn

Without `--province`, the administrator picks the province in the site's own page
(/quan-ly/thiet-lap/chon-tinh/) after setting a password. With it, the province is picked
here, as a platform operator picks it in that page (`provinces.province_pick`). Everything
after that (blocks, agencies, criteria sets, staff, past rankings) is done by that
administrator in the site's pages (/quan-ly/thiet-lap/<province>/).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from rankings.setup.provinces import ERAS, PickRefused, first_admin_invite, province_pick
from rankings.setup.users import set_password_link


class Command(BaseCommand):
    help = "Invite a province's first administrator (who picks the province, unless given)."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="", help="official (GSO) province code")
        parser.add_argument("--era", choices=ERAS, default="current")
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="the administrator's full name")
        parser.add_argument("--username", default="")

    def handle(self, *args, **options):
        email = options["email"]
        try:
            if options["province"]:
                province = province_pick(
                    user=None,
                    code=options["province"],
                    era=options["era"],
                    admin_email=email,
                    admin_name=options["name"],
                    admin_username=options["username"],
                )
                where = f"{province.name} ({province.slug})"
            else:
                first_admin_invite(
                    email=email, full_name=options["name"], username=options["username"]
                )
                where = f"a province to pick at {reverse('setup-pick')}"
        except (ValueError, PickRefused) as error:
            raise CommandError(str(error)) from None
        user = get_user_model().objects.get(email__iexact=email.strip())
        self.stdout.write(
            f"{where}: administrator {user.username} <{user.email}>.\n"
            f"Invitation sent; set-password link: {set_password_link(user)}"
        )
