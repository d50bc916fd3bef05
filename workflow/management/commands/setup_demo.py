"""manage.py setup_demo: a demo agency under its supervising government, one demo user per role and
the government's office head (password "demo")."""

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


#: The supervising government of the demo agency (Art. 3): its disclosure office head sees the
#: annual reports and dashboards of the agencies below it.
DEMO_GOVERNMENT = {
    "name": "孝义市人民政府（演示）",
    "short_name": "孝义市政府",
    "code": "demo-xiaoyi-government",
    "case_number_prefix": "孝政府信申",
    "office_name": "孝义市人民政府办公室",
    "reconsideration_organ": "吕梁市人民政府",
    "court": "孝义市人民法院",
}
#: The demo account of the government's disclosure office head (role office_head).
DEMO_SUPERVISOR = ("supervisor", "上级政府政务公开工作机构负责人")


def demo_government(agency: Agency) -> tuple[Agency, object]:
    """The demo agency's supervising government, made its parent, and the government's office
    head (password "demo"); the same ones on a second run."""
    code = DEMO_GOVERNMENT["code"]
    government, _ = Agency.objects.update_or_create(code=code, defaults=DEMO_GOVERNMENT)
    if agency.parent_id != government.pk:
        agency.parent = government
        agency.save(update_fields=["parent"])
    username, label = DEMO_SUPERVISOR
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.first_name = label
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="office_head"))
    government.staff.add(user)
    return government, user


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
        government, supervisor = demo_government(agency)
        name = f"{supervisor.first_name}（{government.name}）"
        self.stdout.write(f"  {supervisor.username:<20} {name}")
        # An app may bring demo data: a ``demo`` module with ``create_demo(agency, users, write)``,
        # and ``finish_demo`` (same arguments), run once every app's ``create_demo`` has run.
        modules = []
        for app in apps.get_app_configs():
            if (
                app.name.startswith("django")
                or importlib.util.find_spec(f"{app.name}.demo") is None
            ):
                continue
            modules.append(importlib.import_module(f"{app.name}.demo"))
        for hook in ("create_demo", "finish_demo"):
            for module in modules:
                if hasattr(module, hook):
                    getattr(module, hook)(agency, users, write=self.stdout.write)
