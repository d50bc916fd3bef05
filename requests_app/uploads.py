"""Files uploaded to a case: which types each kind accepts, who may upload what and when, and
the checks every file passes before it is kept.

A file's type is read from its content (magic bytes, the structure inside a ZIP), never trusted
from its name: a program renamed ``扫描件.pdf`` is refused, and so is a PNG named ``.pdf`` (the
name would mislead whoever opens it later). Storing the checked files is the service's job
(``services.request_upload``).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import JpegImagePlugin, PngImagePlugin
from pypdf import PdfReader

from requests_app.models import CaseDocument, InformationRequest
from workflow.text_input import clean_name

K = CaseDocument.Kind
S = InformationRequest.Stage

MB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    extensions: tuple[str, ...]  # the first is the one added to a name without extension
    mime: str
    inline: bool  # opened in the browser (PDF, images) rather than downloaded


FILE_TYPES: dict[str, FileType] = {
    t.code: t
    for t in (
        FileType("pdf", "PDF", (".pdf",), "application/pdf", True),
        FileType("jpeg", "JPEG", (".jpg", ".jpeg", ".jpe"), "image/jpeg", True),
        FileType("png", "PNG", (".png",), "image/png", True),
        FileType("ofd", "OFD", (".ofd",), "application/ofd", False),
        FileType(
            "docx",
            "DOCX",
            (".docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            False,
        ),
        FileType(
            "xlsx",
            "XLSX",
            (".xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            False,
        ),
        FileType("txt", "TXT", (".txt",), "text/plain", False),
        FileType("zip", "ZIP", (".zip",), "application/zip", False),
    )
}

#: Scans and photographs of paper: applications, ID cards, signed proofs of service.
SCANS = ("pdf", "jpeg", "png", "ofd")
#: The information provided may be the agency's own electronic files; a ZIP bundles many.
PROVIDED = (*SCANS, "docx", "xlsx", "txt", "zip")
OTHER = (*SCANS, "docx", "xlsx", "txt")


@dataclass(frozen=True)
class UploadRule:
    """Which types a kind accepts, which roles upload it and in which stages."""

    types: tuple[str, ...]
    roles: tuple[str, ...]
    stages: tuple[str, ...]
    when: str  # the stage rule in words, for the refusal message


BEFORE_ARCHIVE = tuple(s for s in S.values if s != S.CLOSED)

UPLOAD_RULES: dict[str, UploadRule] = {
    K.APPLICATION: UploadRule(SCANS, ("registrar",), BEFORE_ARCHIVE, "归档前"),
    K.ID_PROOF: UploadRule(SCANS, ("registrar",), BEFORE_ARCHIVE, "归档前"),
    K.PROVIDED: UploadRule(
        PROVIDED,
        ("handler",),
        (S.PROPOSE, S.CONSULT, S.FEE, S.APPROVE, S.SERVE),
        "提出办理意见至送达前",
    ),
    K.SERVICE_PROOF: UploadRule(
        SCANS,
        ("registrar",),
        (S.CORRECT, S.CONSULT, S.FEE, S.SERVE, S.ARCHIVE),
        # Also while a correction notice, consultation letter or fee notice waits: its proof of
        # service (DOMAIN §3.8).
        "送达时或送达后",
    ),
    K.OTHER: UploadRule(OTHER, ("registrar", "handler"), BEFORE_ARCHIVE, "归档前"),
}

#: The application and the decision or judgment of a reconsideration or lawsuit: uploaded with its
#: record (``services.challenges``), whatever the case's stage, never from the case's upload box.
CHALLENGE_UPLOAD_RULES: dict[str, UploadRule] = {
    K.CHALLENGE_APPLICATION: UploadRule(OTHER, ("legal_reviewer", "office_head"), (), "任何时候"),
    K.CHALLENGE_DECISION: UploadRule(OTHER, ("legal_reviewer", "office_head"), (), "任何时候"),
}


def _rule(kind: str) -> UploadRule:
    return UPLOAD_RULES.get(kind) or CHALLENGE_UPLOAD_RULES[kind]


KIND_LABELS = dict(K.choices)
ROLE_LABELS = {"registrar": "登记人员", "handler": "承办人"}


#: What the registrar receives with the application itself.
REGISTRATION_KINDS = (K.APPLICATION, K.ID_PROOF)


def role_refusal(kind: str, roles: set[str]) -> str:
    """Why a user with ``roles`` may not upload ``kind`` ('' if they may)."""
    rule = UPLOAD_RULES.get(kind)
    if rule is None:
        return "请选择材料类别。"
    if roles & set(rule.roles):
        return ""
    names = "或".join(ROLE_LABELS[r] for r in rule.roles)
    return f"{KIND_LABELS[kind]}由{names}上传。"


def stage_refusal(kind: str, stage: str) -> str:
    """Why ``kind`` may not be uploaded to a case in ``stage`` ('' if it may)."""
    if stage == S.CLOSED:
        return "案件已归档，案卷只读，不能再上传材料。"
    rule = UPLOAD_RULES.get(kind)
    if rule is None:
        return "请选择材料类别。"
    if stage not in rule.stages:
        return f"{KIND_LABELS[kind]}应在{rule.when}上传；本案现处于“{S(stage).label}”阶段。"
    return ""


def upload_refusal(kind: str, *, stage: str, roles: set[str]) -> str:
    """Why a user with ``roles`` may not upload ``kind`` to a case in ``stage`` ('' if they may)."""
    return role_refusal(kind, roles) or stage_refusal(kind, stage)


def uploadable_kinds(*, stage: str, roles: set[str]) -> list[str]:
    """The kinds a user with ``roles`` may upload to a case in ``stage``, in display order."""
    return [kind for kind in UPLOAD_RULES if not upload_refusal(kind, stage=stage, roles=roles)]


# -- limits --------------------------------------------------------------------------------------


def max_file_size() -> int:
    return settings.GONGKAI_UPLOAD_MAX_FILE_MB * MB


def max_total_size() -> int:
    return settings.GONGKAI_UPLOAD_MAX_TOTAL_MB * MB


def max_files() -> int:
    return settings.GONGKAI_UPLOAD_MAX_FILES


def max_image_pixels() -> int:
    """The most pixels an uploaded image may have (``GONGKAI_UPLOAD_MAX_IMAGE_MP`` million): a
    larger one takes minutes and gigabytes to place on a page of the case file."""
    return settings.GONGKAI_UPLOAD_MAX_IMAGE_MP * 1_000_000


def pixels_text(pixels: int) -> str:
    """51,000,000 -> '5100万'; pixel counts as officers read them."""
    if pixels >= 100_000_000:
        return f"{pixels / 100_000_000:.2f}".rstrip("0").rstrip(".") + "亿"
    if pixels >= 10_000:
        return f"{pixels / 10_000:.0f}万"
    return str(pixels)


def image_too_large(width: int, height: int) -> str:
    """Why an image of ``width`` × ``height`` is refused ('' when it is not)."""
    if width * height <= max_image_pixels():
        return ""
    return (
        f"有{width}×{height}像素（约{pixels_text(width * height)}像素），超过了每张图片"
        f"{pixels_text(max_image_pixels())}像素的上限，请缩小后再上传"
    )


def human_size(size: int) -> str:
    """1536 -> '1.5 KB'; sizes as officers read them."""
    if size < 1024:
        return f"{size} 字节"
    if size < MB:
        return f"{size / 1024:.1f} KB".replace(".0 ", " ")
    return f"{size / MB:.1f} MB".replace(".0 ", " ")


def types_text(kind: str) -> str:
    """The types ``kind`` accepts, e.g. 'PDF、JPEG、PNG、OFD'."""
    return "、".join(FILE_TYPES[code].label for code in _rule(kind).types)


def limits_text() -> str:
    return (
        f"可选多个；每个不超过{settings.GONGKAI_UPLOAD_MAX_FILE_MB} MB，"
        f"每次合计不超过{settings.GONGKAI_UPLOAD_MAX_TOTAL_MB} MB。"
    )


def accepted_text(kind: str) -> str:
    """What a form says it accepts: the types, then the limits (limits_text)."""
    return f"可上传{types_text(kind)}文件，{limits_text()}"


def accepted_text_for(kinds: list[str]) -> str:
    """The same for a choice of kinds, kinds that accept the same types named together."""
    groups: dict[str, list[str]] = {}
    for kind in kinds:
        groups.setdefault(types_text(kind), []).append(KIND_LABELS[kind])
    listed = "；".join(f"{'、'.join(labels)}：{types}" for types, labels in groups.items())
    return f"可上传的文件——{listed}。{limits_text()}"


def accept_attribute(kind: str) -> str:
    """The ``accept`` attribute of the file input: a hint to the browser; the server decides."""
    return ",".join(ext for code in _rule(kind).types for ext in FILE_TYPES[code].extensions)


# -- names ---------------------------------------------------------------------------------------

#: Characters no file system or header should get from a user's file name.
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
NAME_LIMIT = 120


def safe_name(name: str) -> str:
    """The file's own name without any folder, control, reserved or invisible (bidirectional,
    zero-width) character, at most 120 characters with its extension kept; '未命名' when
    nothing is left."""
    # Invisible controls first: U+202E would show "申请书\u202efdp.exe" as 申请书exe.pdf.
    name = clean_name(unicodedata.normalize("NFC", str(name or "")))
    name = re.split(r"[/\\]", name)[-1]  # a browser may send C:\Users\…\扫描.pdf
    name = UNSAFE.sub("_", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext[:10]
    stem = stem[: NAME_LIMIT - len(ext) - 1].strip() or "未命名"
    return f"{stem}.{ext}" if ext else stem


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


# -- recognising a type by its content ------------------------------------------------------------

IMAGE_READERS = {"jpeg": JpegImagePlugin.JpegImageFile, "png": PngImagePlugin.PngImageFile}
OFD_ROOT = re.compile(rb"<(?:[\w.-]+:)?OFD[\s>/]")
TEXT_SAMPLE = 64 * 1024


def _zip_type(handle: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "OFD.xml" in names:
                # GB/T 33190: the package's entry file, whose root element is ofd:OFD.
                with archive.open("OFD.xml") as entry:
                    return "ofd" if OFD_ROOT.search(entry.read(TEXT_SAMPLE)) else "zip"
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
            return "zip"
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None


def _is_text(sample: bytes, *, complete: bool) -> bool:
    """Plain text in UTF-8 or GB18030 (the encodings Chinese offices save text in)."""
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # A sample cut from a longer file may end inside a character: not an error.
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
        except UnicodeDecodeError:
            continue
        return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text)
    return False


def detect_type(handle: IO[bytes]) -> str | None:
    """The code of the file's type from its content, or None when it is none we know."""
    handle.seek(0)
    head = handle.read(16)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        found = _zip_type(handle)
        handle.seek(0)
        return found
    sample = handle.read(TEXT_SAMPLE + 1)
    handle.seek(0)
    complete = len(sample) <= TEXT_SAMPLE
    return "txt" if sample and _is_text(sample[:TEXT_SAMPLE], complete=complete) else None


def _content_problem(code: str, handle: IO[bytes]) -> str:
    """What is wrong inside a file of a recognised type ('' when it opens)."""
    handle.seek(0)
    try:
        if code == "pdf":
            reader = PdfReader(handle)
            if reader.is_encrypted and not reader.decrypt(""):
                return "设有打开密码，无法归入案卷；请上传未加密的文件"
            if len(reader.pages) == 0:
                return "没有页面"
        elif code in ("jpeg", "png"):
            # The format's own reader takes only the header: the size is known before anything
            # is decoded (Image.open would refuse a decompression bomb without saying its size).
            with IMAGE_READERS[code](handle) as image:
                too_large = image_too_large(*image.size)
                if too_large:
                    return too_large
                image.verify()
    except Exception:  # any parser error on untrusted input means "cannot be opened"
        return "已损坏，无法打开" if code == "pdf" else "图片已损坏，无法打开"
    finally:
        handle.seek(0)
    return ""


# -- checking one upload ---------------------------------------------------------------------------


@dataclass
class CheckedFile:
    """A file that passed every check, ready to be kept."""

    file: Any  # the uploaded file object, positioned at its start
    name: str  # the safe original name, its extension matching the content
    file_type: FileType
    size: int
    sha256: str


def _size_of(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(0)
    return size


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    if hasattr(file, "chunks"):
        for chunk in file.chunks():
            digest.update(chunk)
    else:
        for chunk in iter(lambda: file.read(MB), b""):
            digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def check_file(kind: str, file, *, label: str = "") -> tuple[CheckedFile | None, str]:
    """Check one file for ``kind``: (checked file, '') or (None, the Chinese message), the
    message naming ``label`` (the field) when given, the file and what is expected."""
    rule = _rule(kind)
    name = safe_name(getattr(file, "name", ""))
    expected = (
        f"可以上传{types_text(kind)}文件，每个不超过{settings.GONGKAI_UPLOAD_MAX_FILE_MB} MB。"
    )

    prefix = f"{label}：" if label else ""

    def refused(problem: str) -> tuple[None, str]:
        return None, f"{prefix}“{name}”{problem}。{expected}"

    size = _size_of(file)
    if getattr(file, "refusal", ""):  # refused while it was received (workflow.upload_limits)
        return refused(file.refusal)
    if size == 0:
        return refused("是空文件")
    if size > max_file_size():
        return refused(f"有{human_size(size)}，超过了每个文件的上限")
    code = detect_type(file)
    ext = extension(name)
    claimed = next((t for t in FILE_TYPES.values() if ext and ext in t.extensions), None)
    if code is None:
        if claimed:  # e.g. a program renamed .pdf
            return refused(f"名为{claimed.label}文件，但内容不是{claimed.label}文件")
        return refused("不是可以接受的文件类型")
    file_type = FILE_TYPES[code]
    if ext and ext not in file_type.extensions:
        what = f"{claimed.label}文件" if claimed else f"{ext}文件"
        return refused(f"名为{what}，内容却是{file_type.label}文件，请核对")
    if code not in rule.types:
        return refused(f"是{file_type.label}文件，{KIND_LABELS[kind]}不接受这种文件")
    problem = _content_problem(code, file)
    if problem:
        return refused(f"{problem}" if code != "pdf" else f"是PDF文件，但{problem}")
    if not ext:
        name = f"{name}{file_type.extensions[0]}"
    return CheckedFile(file, name, file_type, size, _sha256(file)), ""


def check_files(kind: str, files, *, label: str | None = None) -> list[CheckedFile]:
    """Check every file of one upload for ``kind``; all problems at once in a ValidationError.

    Messages start with ``label`` (default: the kind's name); a form passes ``label=""`` because
    it shows the field's label beside the message itself.
    """
    files = [f for f in files if f is not None]
    if kind not in UPLOAD_RULES and kind not in CHALLENGE_UPLOAD_RULES:
        raise ValidationError("请选择材料类别。")
    label = KIND_LABELS[kind] if label is None else label
    prefix = f"{label}：" if label else ""
    if len(files) > max_files():
        raise ValidationError(
            f"{prefix}一次最多上传{max_files()}个文件（这次选择了{len(files)}个），请分几次上传。"
        )
    checked, errors = [], []
    for file in files:
        result, message = check_file(kind, file, label=label)
        if result is None:
            errors.append(message)
        else:
            checked.append(result)
    if errors:
        raise ValidationError(errors)
    check_total([c.size for c in checked], label=label)
    return checked


def check_total(sizes: list[int], *, label: str = "") -> None:
    """The files of one submission together stay under the total limit."""
    total = sum(sizes)
    if total > max_total_size():
        prefix = f"{label}：" if label else ""
        raise ValidationError(
            f"{prefix}这次选择的文件合计{human_size(total)}，超过了每次上传"
            f"{settings.GONGKAI_UPLOAD_MAX_TOTAL_MB} MB的上限，请分几次上传。"
        )
