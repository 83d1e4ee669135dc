#!/usr/bin/env bash
# What the tests need beyond Node and Java (scripts/check-java.sh): Debian's chromium for the browser
# tests and the PDFs (never a downloaded browser), CJK fonts for screenshots of a Japanese UI, and
# poppler-utils' pdftotext, which reads the printed PDFs back. As root on Debian/Ubuntu, install what is
# missing; else say what to do.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
need=()
[ -x "$CHROMIUM" ] || need+=(chromium)
# Without a CJK font every Japanese label renders as boxes in the screenshots.
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
echo "The tests need: ${need[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${need[*]})," >&2
echo "or, for the browser, set CHROMIUM_PATH to a Chromium binary." >&2
exit 1
