"""manage.py prepare_letter_fonts: extract the letter fonts now, not at the first render."""

from django.core.management.base import BaseCommand, CommandError

from workflow.letters.fonts import (
    ROLE_LABELS,
    FontsUnavailable,
    extract_faces,
    fonts_dir,
    letter_faces,
    plan_faces,
)


class Command(BaseCommand):
    help = (
        "从系统的中文字体中提取文书所用的简体中文字形（GB 2312 汉字和常用符号），"
        "存放在 var/fonts/；只在首次或字体更新后需要，之后直接使用。"
    )

    def handle(self, *args, **options) -> None:
        say = self.stdout.write
        say(
            "文书字体：PDF 文书使用系统的中文字体（Noto CJK 等），其字体文件每个二十多MB，"
            "含多种地区字形。这里只提取其中的简体中文字形（GB 2312 的6763个汉字和常用符号），"
            f"存放在 {fonts_dir()}/；只需运行一次，字体更新后才会重新提取。"
        )
        try:
            faces, todo = plan_faces()
        except FontsUnavailable as error:
            raise CommandError(str(error)) from error
        extracting = {item.role: item for item in todo}
        for role, face in faces.items():
            label = ROLE_LABELS[role]
            if face.licensed:
                say(f"{label}：使用本机关授权字体 {face.path}（DOCX 字体名：{face.docx_name}）")
            elif role in extracting:
                item = extracting[role]
                say(f"{label}：待提取，读取 {item.source}（第{item.index + 1}种字形）")
            else:
                say(f"{label}：已提取，{face.path}（DOCX 字体名：{face.docx_name}）")
        if todo:
            extract_faces(todo, report=say)
            letter_faces.cache_clear()
        else:
            say("无需提取。")
        letter_faces()
