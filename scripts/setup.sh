#!/usr/bin/env bash
# Install everything into .venv/ (idempotent; re-running only fills what is missing).
#   bash scripts/setup.sh         runtime: app, embedded model, offline model weights
#   bash scripts/setup.sh --dev   also the test tools
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
for arg in "$@"; do
  case "$arg" in
    --dev) DEV=1 ;;
    *) echo "unknown option: $arg (use --dev)" >&2; exit 2 ;;
  esac
done

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY="$candidate"; break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "Python 3.11 is required: install it (e.g. apt-get install python3.11 python3.11-venv) or set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

if [ ! -x .venv/bin/python ]; then
  step "creating .venv with $PY"
  "$PY" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check)
"${PIP[@]}" install -q --upgrade pip setuptools wheel

# The llama.cpp runtime is compiled from source. A default (native) build enables
# CPU features some of these machines report but cannot run and crashes on the first
# token, so it is built portable: AVX2/FMA, no -march=native. pip caches the wheel,
# so this costs ~6 minutes once per machine.
if ! .venv/bin/python -c 'import llama_cpp' >/dev/null 2>&1; then
  step "building the embedded model runtime (llama.cpp, portable, ~6 min once)"
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAVA_BUILD=OFF" \
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc 2>/dev/null || echo 2)" \
    "${PIP[@]}" install "llama-cpp-python[server]==0.3.36"
fi

# Test-only system packages: a real PostgreSQL server for the need-log tests.
if [ "$DEV" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  step "installing PostgreSQL (Debian package) for the tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

step "installing needs-assistant"
if [ "$DEV" = 1 ]; then
  "${PIP[@]}" install -q -e ".[dev]"
else
  "${PIP[@]}" install -q -e .
fi

step "installing the offline model (verified by SHA-256; skipped when present)"
.venv/bin/needs model pull

step "indexing the shipped knowledge base (once; later runs find it unchanged)"
.venv/bin/needs retrieve "客户说想买枣子，我该怎么问？" --k 1 >/dev/null

step "ready: .venv/bin/needs --help"

# Test-only system packages: a real browser for tests/test_browser.py (Debian's Chromium, driven
# by Playwright without `playwright install`), and CJK fonts so its screenshots are legible.
if [ "$DEV" = 1 ]; then
  BROWSER_PKGS=()
  [ -x /usr/bin/chromium ] || BROWSER_PKGS+=(chromium)
  fc-list :lang=zh 2>/dev/null | grep -q . || BROWSER_PKGS+=(fonts-noto-cjk)
  if [ "${#BROWSER_PKGS[@]}" -gt 0 ]; then
    step "installing ${BROWSER_PKGS[*]} (Debian packages) for the browser test"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${BROWSER_PKGS[@]}" >/dev/null
  fi
fi
