"""manage.py setup_demo: a demo agency and one demo user per role (password "demo")."""

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workflow.models import Agency
from workflow.roles import ROLES

DEMO_PASSWORD = "demo"
DEMO_AGENCY = {
    "name": "孝义市人民政府办公室（演示）",
    "short_name": "孝义市政府办",
    "code": "demo-xiaoyi",
    "case_number_prefix": "孝政信申",
    "number_style": Agency.NumberStyle.WITH_DI,
    "office_name": "孝义市人民政府办公室政务公开科",
    "office_phone": "0358-0000000（演示）",
    "office_address": "山西省孝义市（演示地址）",
    "office_postcode": "032300",
    "reconsideration_organ": "孝义市人民政府",
    "court": "孝义市人民法院",
}


class Command(BaseCommand):
    help = "创建演示机关和每个角色的演示账号（仅用于演示，密码均为 demo）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="在 DEBUG 关闭的环境中也创建（不建议用于生产）"
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "这是演示数据：生产环境（DEBUG 关闭）中不创建。确需创建请加 --force。"
            )
        code = DEMO_AGENCY["code"]
        agency, _ = Agency.objects.update_or_create(code=code, defaults=DEMO_AGENCY)
        User = get_user_model()
        self.stdout.write("演示数据（仅用于演示）——机关：" + agency.name)
        self.stdout.write("演示账号（密码均为 demo）：")
        users = {}
        for code, label in ROLES.items():
            user, _ = User.objects.get_or_create(username=code)
            user.first_name = label
            user.is_staff = code == "admin"
            user.is_superuser = code == "admin"
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=code))
            agency.staff.add(user)
            users[code] = user
            self.stdout.write(f"  {code:<20} {label}")
        # An app may bring demo data: a ``demo`` module with ``create_demo(agency, users, write)``.
        for app in apps.get_app_configs():
            if (
                app.name.startswith("django")
                or importlib.util.find_spec(f"{app.name}.demo") is None
            ):
                continue
            module = importlib.import_module(f"{app.name}.demo")
            if hasattr(module, "create_demo"):
                module.create_demo(agency, users, write=self.stdout.write)
