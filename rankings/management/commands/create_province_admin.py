"""The one shell step of a new province: its row and its administrator's account.

    python manage.py create_province_admin --province 04 --era legacy \\
        --email qtv@caobang.gov.vn --name "Nguyễn Văn A"

Everything after that (blocks, agencies, criteria sets, staff, past rankings) is done by
that administrator in the site's own pages (/quan-ly/thiet-lap/<province>/).
"""

from django.core.management.base import BaseCommand, CommandError

from rankings.models import Role
from rankings.setup.provinces import ERAS, province_from_units
from rankings.setup.users import set_password_link, staff_add, staff_check


class Command(BaseCommand):
    help = "Create a province from vietnam-provinces and its administrator, with an invitation."

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="official (GSO) province code")
        parser.add_argument("--era", choices=ERAS, default="current")
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="the administrator's full name")
        parser.add_argument("--username", default="")

    def handle(self, *args, **options):
        try:
            province = province_from_units(code=options["province"], era=options["era"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        row, problems = staff_check(
            province=province,
            full_name=options["name"],
            email=options["email"],
            role_text=Role.ADMIN,
            username=options["username"],
        )
        if problems:
            raise CommandError("; ".join(str(p) for p in problems))
        user = staff_add(province=province, row=row, invited_by=None)
        self.stdout.write(
            f"{province.name} ({province.slug}): administrator {user.username} <{user.email}>.\n"
            f"Invitation sent; set-password link: {set_password_link(user)}"
        )
