"""manage.py unlock_login: lift a login lockout (too many wrong passwords), audited."""

from django.core.management.base import BaseCommand, CommandError

from workflow.throttling import login_unlock


class Command(BaseCommand):
    help = (
        "解除因密码错误次数过多而暂时锁定的登录：按账号（来自任何地址的失败记录）或按地址。"
        "解除操作记入审计记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="", help="要解除锁定的账号")
        parser.add_argument("--ip", default="", help="要解除锁定的地址（办公网络的出口地址）")
        parser.add_argument("--reason", default="", help="理由，例如：本人电话确认后解除")

    def handle(self, *args, username, ip, reason, **options):
        if not (username or ip):
            raise CommandError("请用 --username 指定账号，或用 --ip 指定地址。")
        cleared = 0
        if username:
            cleared += login_unlock(actor=None, username=username, reason=reason)
        if ip:
            cleared += login_unlock(actor=None, ip_address=ip, reason=reason)
        self.stdout.write(f"已解除锁定，清除了{cleared}条失败记录。")
