#!/usr/bin/env bash
# Installs the Debian packages Gongkai needs beside Python: a CJK font for the letters, Chromium
# for the browser tests, poppler for PDF checks, gettext for the Chinese catalog. Idempotent:
# only missing packages are installed, and only when running as root with apt-get available.
set -euo pipefail

wanted=(fonts-noto-cjk chromium poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "正在安装系统软件包：${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "缺少系统软件包：${missing[*]}" >&2
  echo "请以管理员身份安装：sudo apt-get install ${missing[*]}" >&2
  echo "（没有这些软件包时，文书字体、浏览器测试或PDF检查将无法运行。）" >&2
fi
