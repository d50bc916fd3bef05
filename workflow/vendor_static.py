"""Single files of the browser libraries installed from the npm registry (``make static-deps``),
served as the project's own static files: no CDN, since government intranets have no internet.

``settings.GONGKAI_VENDOR_STATIC`` maps a static path to one file (``vendor/echarts/echarts.min.js``
→ ``node_modules/echarts/dist/echarts.min.js``): only that file is exposed, not the package's
folder, and ``collectstatic`` (whitenoise) copies it like any other static file.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning as CheckWarning
from django.core.files.storage import FileSystemStorage


def _files() -> dict[str, Path]:
    files = getattr(settings, "GONGKAI_VENDOR_STATIC", {})
    return {key: Path(value) for key, value in files.items()}


class VendorFileFinder(BaseFinder):
    """Finds the files of ``GONGKAI_VENDOR_STATIC`` and nothing else."""

    def check(self, **kwargs):
        missing = [f"{key}（{path}）" for key, path in _files().items() if not path.is_file()]
        if not missing:
            return []
        return [
            CheckWarning(
                f"缺少浏览器程序库文件：{'、'.join(missing)}。"
                "请运行 make static-deps（需要 npm）。",
                hint="仪表盘的图表需要这些文件；没有它们时只显示数字表格。",
                id="gongkai.W001",
            )
        ]

    def find(self, path, find_all=False, **kwargs):
        target = _files().get(path)
        if target is None or not target.is_file():
            return []  # as Django's finders: an empty list for "not here"
        return [str(target)] if find_all else str(target)

    def list(self, ignore_patterns):
        for key, target in _files().items():
            if not target.is_file():
                continue
            prefix, _, name = key.rpartition("/")
            storage = FileSystemStorage(location=str(target.parent))
            storage.prefix = prefix
            yield name, storage
