"""manage.py prepare_letter_fonts: extract the letter fonts now, not at the first render."""

from django.core.management.base import BaseCommand, CommandError

from workflow.letters.fonts import FontsUnavailable, letter_faces


class Command(BaseCommand):
    help = "提取并精简文书使用的中文字体（存放在 var/fonts/，只在首次或字体更新后需要）。"

    def handle(self, *args, **options) -> None:
        try:
            faces = letter_faces()
        except FontsUnavailable as error:
            raise CommandError(str(error)) from error
        for face in faces.values():
            origin = "本机关授权字体" if face.licensed else "系统字体提取"
            self.stdout.write(
                f"{face.role}: {face.path}（{origin}；DOCX 字体名：{face.docx_name}）"
            )
