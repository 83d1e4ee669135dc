#!/usr/bin/env bash
# The browser tests drive Debian's chromium (never a downloaded browser) and take screenshots of a
# Japanese UI, which needs CJK fonts. As root on Debian/Ubuntu, install what is missing; else say what to do.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
need=()
[ -x "$CHROMIUM" ] || need+=(chromium)
# Without a CJK font every Japanese label renders as boxes in the screenshots.
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
echo "The browser tests need: ${need[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${need[*]})," >&2
echo "or set CHROMIUM_PATH to a Chromium binary." >&2
exit 1
