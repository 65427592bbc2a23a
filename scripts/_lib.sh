# Shared by scripts/run, scripts/test, scripts/lint and scripts/bench. Source it, don't run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PANHUO_VENV:-$ROOT/.venv}"
cd "$ROOT"

log() { printf '\033[1m[panhuo]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"; return 1; fi
}

apt_install() {
  log "installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  log "Python >= 3.11 is required"; return 1
}

# ensure_venv [extras]: create .venv and install the project when pyproject/constraints change.
ensure_venv() {
  local extras="${1:-}" python stamp want
  if [ ! -x "$VENV/bin/python" ]; then
    python="$(find_python)"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      apt_install python3-venv
      "$python" -m venv "$VENV"
    fi
  fi
  stamp="$VENV/.panhuo-install"
  want="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)-${extras}"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing Python dependencies into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt \
      -e ".${extras:+[$extras]}"
    echo "$want" >"$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
