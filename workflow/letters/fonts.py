"""Fonts for the letters: the faces each role uses in the PDF and the names the DOCX asks for.

Roles follow GB/T 9704: ``title`` 小标宋, ``body`` 仿宋, ``heading`` 黑体, ``kai`` 楷体.

Strategy. Debian's Noto CJK fonts come as 20–27 MB collections (``.ttc``) holding five regional
faces each. Every PDF subsets the fonts it uses; on the whole collection that is slow and the PDF
carries more than it needs. So, once, the Simplified Chinese face of each role is extracted and cut
down to GB 2312 (all 6,763 hanzi) plus ASCII, Latin-1 and CJK punctuation, into
``var/fonts/<role>-<key>.otf`` (about 5 MB each). The key hashes the source file's path, size and
mtime, so a font upgrade makes a new file. The PDF's font stacks name the system Noto face after
the extracted one, so a rare character outside GB 2312 (a name, say) still prints, from the full
font.

An agency's own licensed fonts win: ``GONGKAI_LETTER_FONTS`` (environment, or a Django setting of
the same name holding a dict) maps roles to font files, e.g.
``title=/srv/fonts/方正小标宋简体.ttf;body=/srv/fonts/仿宋_GB2312.ttf``. Those files are used as
they are, and the DOCX then names their families.
"""

import fcntl
import hashlib
import logging
import os
import subprocess
import time
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import cache
from pathlib import Path

logger = logging.getLogger(__name__)

ROLES = ("title", "body", "heading", "kai")

# What a DOCX asks Word or WPS for when no licensed font is configured: the names of the fonts
# GB/T 9704 prescribes, as installed on officers' machines.
DOCX_FONT_NAMES = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "heading": "黑体",
    "kai": "楷体_GB2312",
}

# (fontconfig pattern, expected family, Debian fallback paths)
_SYSTEM_SOURCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "title": (
        "Noto Serif CJK SC:style=Bold",
        "Noto Serif CJK SC",
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",),
    ),
    "body": (
        "Noto Serif CJK SC:style=Regular",
        "Noto Serif CJK SC",
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",),
    ),
    "heading": (
        "Noto Sans CJK SC:style=Regular",
        "Noto Sans CJK SC",
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",),
    ),
    "kai": (
        "AR PL KaitiM GB",
        "AR PL KaitiM GB",
        ("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",),
    ),
}

# CSS fallbacks after the project's faces: the full system fonts, for characters outside GB 2312.
CSS_FALLBACKS = {
    "title": '"Noto Serif CJK SC", serif',
    "body": '"Noto Serif CJK SC", serif',
    "heading": '"Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif',
    "kai": '"AR PL KaitiM GB", "Noto Serif CJK SC", serif',
}

CHARSET_VERSION = "gb2312-2"

INSTALL_HINT = (
    "没有找到中文字体。请以 root 身份运行 make（会自动安装 Debian 的 fonts-noto-cjk），"
    "或执行：apt-get install fonts-noto-cjk；"
    "也可以在 GONGKAI_LETTER_FONTS 中配置本机关已授权的字体文件。"
)


class FontsUnavailable(RuntimeError):
    """No usable CJK font for the body text; the message says how to install one."""


@dataclass(frozen=True)
class Face:
    role: str
    path: Path
    css_family: str
    docx_name: str
    licensed: bool = False


def _charset() -> set[int]:
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((first, second)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    for start, end in (
        (0x2010, 0x2070),  # general punctuation: — “ ” ‘ ’ …
        (0x2150, 0x2190),  # number forms: Ⅰ Ⅱ
        (0x2460, 0x2500),  # enclosed alphanumerics: ① ②
        (0x25A0, 0x2600),  # geometric shapes: □ ■ ○
        (0x3000, 0x3040),  # CJK symbols and punctuation: 、。〔〕《》
        (0xFF00, 0xFF66),  # full-width forms: （）：；，
    ):
        chars.update(range(start, end))
    return chars


def _configured_files() -> dict[str, Path]:
    configured: dict[str, str] = {}
    try:
        from django.conf import settings

        configured.update(getattr(settings, "GONGKAI_LETTER_FONTS", None) or {})
    except Exception:  # settings not configured: a plain script
        pass
    for item in os.environ.get("GONGKAI_LETTER_FONTS", "").split(";"):
        role, _, path = item.partition("=")
        if role.strip() and path.strip():
            configured[role.strip()] = path.strip()
    unknown = set(configured) - set(ROLES)
    if unknown:
        raise FontsUnavailable(
            f"GONGKAI_LETTER_FONTS 中有未知的字体用途：{'、'.join(sorted(unknown))}"
        )
    files = {}
    for role, path in configured.items():
        if not Path(path).is_file():
            raise FontsUnavailable(f"GONGKAI_LETTER_FONTS 配置的{role}字体文件不存在：{path}")
        files[role] = Path(path)
    return files


def _family_name(path: Path, index: int = 0) -> str:
    """A font's family name, the Simplified Chinese one where the font has it."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 16) and record.platformID == 3 and record.langID == 0x804:
            return record.toUnicode()
    return names.getDebugName(1) or path.stem


def _find_system_font(role: str) -> tuple[Path, int] | None:
    pattern, family, fallbacks = _SYSTEM_SOURCES[role]
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}|%{family}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        path, index, families = found.split("|", 2)
        if family in families.split(","):
            return Path(path), int(index)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    for candidate in map(Path, fallbacks):
        if candidate.is_file():
            return candidate, _face_index(candidate, family)
    return None


def _face_index(path: Path, family: str) -> int:
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    for index, font in enumerate(TTCollection(path, lazy=True).fonts):
        if font["name"].getDebugName(1) == family:
            return index
    return 0


def fonts_dir() -> Path:
    """Where extracted faces are kept: ``VAR_DIR/fonts``."""
    try:
        from django.conf import settings

        base = Path(settings.VAR_DIR)
    except Exception:
        base = Path(__file__).resolve().parents[2] / "var"
    return base / "fonts"


def _extracted_path(role: str, source: Path, index: int) -> Path:
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{int(stat.st_mtime)}|{index}|{CHARSET_VERSION}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    return fonts_dir() / f"{role}-{digest}.otf"


def _extract(source: str, index: int, target: str) -> str:
    """Cut face ``index`` of ``source`` down to the letter charset and save it at ``target``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    font = TTFont(source, fontNumber=index)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_charset())
    subsetter.subset(font)
    partial = f"{target}.{os.getpid()}.part"
    font.save(partial)
    os.replace(partial, target)
    return target


#: The roles in words, for what ``prepare_letter_fonts`` says it does.
ROLE_LABELS = {
    "title": "标题（小标宋）",
    "body": "正文（仿宋）",
    "heading": "小标题（黑体）",
    "kai": "楷体",
}


@dataclass(frozen=True)
class Extraction:
    """One face still to extract: face ``index`` of ``source`` into ``target``."""

    role: str
    source: Path
    index: int
    target: Path


def plan_faces() -> tuple[dict[str, Face], list[Extraction]]:
    """The face of every role, and the extractions still needed for them (nothing is written)."""
    licensed = _configured_files()
    faces: dict[str, Face] = {}
    todo: list[Extraction] = []
    for role in ROLES:
        if role in licensed:
            path = licensed[role]
            faces[role] = Face(role, path, f"GK {role}", _family_name(path), licensed=True)
            continue
        found = _find_system_font(role)
        if found is None:
            continue
        source, index = found
        target = _extracted_path(role, source, index)
        faces[role] = Face(role, target, f"GK {role}", DOCX_FONT_NAMES[role])
        if not target.exists():
            todo.append(Extraction(role, source, index, target))
    if "body" not in faces:
        raise FontsUnavailable(INSTALL_HINT)
    return faces, todo


@cache
def letter_faces() -> dict[str, Face]:
    """The face of every role, extracting system faces on first use (once, under a file lock)."""
    faces, todo = plan_faces()
    if todo:
        extract_faces(todo)
    return faces


def _elapsed(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}分{seconds % 60:02d}秒" if seconds >= 60 else f"{seconds}秒"


#: How often a long extraction says it is still at work.
HEARTBEAT_SECONDS = 20


def extract_faces(todo: list[Extraction], report: Callable[[str], None] | None = None) -> None:
    """Extract the faces of ``todo`` side by side, saying each step to ``report`` (a line of
    text each) with the time elapsed; without ``report``, to the log."""
    say = report or logger.info
    directory = fonts_dir()
    directory.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(directory / ".lock", "w") as lock:
        if report is not None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say("另一个进程正在提取字体，等它完成……")
                fcntl.flock(lock, fcntl.LOCK_EX)
        else:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be extracting the same faces
        todo = [item for item in todo if not item.target.exists()]
        if not todo:
            say("字体已由另一个进程提取完成。")
            return
        workers = min(len(todo), os.cpu_count() or 1)
        names = "、".join(ROLE_LABELS[item.role] for item in todo)
        say(f"开始提取{len(todo)}种字体（{names}），同时运行{workers}个进程；只需这一次。")
        with ProcessPoolExecutor(max_workers=workers) as pool:
            jobs = {
                pool.submit(_extract, str(item.source), item.index, str(item.target)): item
                for item in todo
            }
            pending = set(jobs)
            done_count = 0
            while pending:
                done, pending = wait(
                    pending, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED
                )
                for job in done:
                    job.result()
                    done_count += 1
                    item = jobs[job]
                    size = item.target.stat().st_size / 1_000_000
                    elapsed = _elapsed(time.monotonic() - started)
                    say(
                        f"[{done_count}/{len(todo)}] {ROLE_LABELS[item.role]}：已写入 "
                        f"{item.target}（{size:.1f} MB），已用{elapsed}"
                    )
                if pending and not done:
                    waiting = "、".join(ROLE_LABELS[jobs[job].role] for job in pending)
                    say(f"仍在提取：{waiting}（已用{_elapsed(time.monotonic() - started)}）")
        current = {item.target.name for item in todo}
        for item in todo:
            for stale in directory.glob(f"{item.role}-*.otf"):
                if stale.name not in current:
                    stale.unlink(missing_ok=True)
                    say(f"已删除旧的提取结果：{stale.name}")
        say(f"字体提取完成，共用{_elapsed(time.monotonic() - started)}。")


@cache
def docx_font_names() -> dict[str, str]:
    """East-Asian font names for the DOCX: licensed fonts' own names, else the GB/T 9704 names."""
    names = dict(DOCX_FONT_NAMES)
    for role, path in _configured_files().items():
        names[role] = _family_name(path)
    return names


def font_face_css() -> str:
    """``@font-face`` rules and the ``--`` free font stacks the PDF stylesheet uses."""
    faces = letter_faces()
    rules = [
        f'@font-face {{ font-family: "{face.css_family}"; src: url("{face.path.as_uri()}"); }}'
        for face in faces.values()
    ]
    return "\n".join(rules)


def font_stack(role: str) -> str:
    """The CSS font-family list of ``role``: its face, the body face, then the system fonts."""
    faces = letter_faces()
    names = [f'"{faces[r].css_family}"' for r in (role, "body") if r in faces]
    return ", ".join(dict.fromkeys(names)) + ", " + CSS_FALLBACKS[role]


def uncovered(text: str, roles: Iterable[str] = ("body",)) -> set[str]:
    """Characters of ``text`` missing from the faces of ``roles`` (printed from the fallbacks)."""
    from fontTools.ttLib import TTFont

    faces = letter_faces()
    covered: set[int] = set()
    for role in roles:
        if role in faces:
            covered |= set(TTFont(faces[role].path, lazy=True).getBestCmap())
    return {ch for ch in text if not ch.isspace() and ord(ch) not in covered}


@cache
def _cmap(path: Path, index: int = 0) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, fontNumber=index, lazy=True).getBestCmap())


@cache
def drawable_codepoints() -> frozenset[int]:
    """What the PDF can draw in every role: the body face, which every font stack names, and the
    full system font the stacks fall back on (a rare name character outside GB 2312, say)."""
    codepoints = set(_cmap(letter_faces()["body"].path))
    found = _find_system_font("body")
    if found is not None:
        codepoints |= _cmap(*found)
    return frozenset(codepoints)


def _ignorable(char: str) -> bool:
    # Line breaks and tabs are laid out, not drawn; format characters (zero-width space, BOM …)
    # print as nothing.
    return char in "\t\n\r" or unicodedata.category(char) == "Cf"


def undrawable(text: str) -> list[str]:
    """The characters of ``text`` the letter fonts cannot draw (they would print as boxes), in
    order of first appearance; empty when no font is installed (the PDF then fails on its own)."""
    try:
        codepoints = drawable_codepoints()
    except FontsUnavailable:
        return []
    missing = (ch for ch in text if ord(ch) not in codepoints and not _ignorable(ch))
    return list(dict.fromkeys(missing))
