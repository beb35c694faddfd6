#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL (fleet storage tests run against a real
# server) and Chromium (dashboard end-to-end tests). Installs only what is missing, with
# apt-get as root or through passwordless sudo. Where it cannot install, it says which tests
# that leaves out and exits 0, so `npm test` still runs everything else.
set -euo pipefail
need=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
if [ -z "${PG_BIN:-}" ] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then need+=(postgresql); fi
[ ${#need[@]} -eq 0 ] && exit 0

sudo_cmd=()
can_install=true
if ! command -v apt-get >/dev/null 2>&1; then
  can_install=false
elif [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd=(sudo -n); else can_install=false; fi
fi

if $can_install; then
  echo "system packages: installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi

echo "system packages: cannot install ${need[*]} here (needs apt-get as root or passwordless sudo)." >&2
for pkg in "${need[@]}"; do
  case $pkg in
    chromium) echo "  - Chromium missing: the dashboard's browser tests (apps/fleet/test/e2e/) will FAIL. Install Debian's 'chromium' or set CHROMIUM_PATH." >&2 ;;
    postgresql) echo "  - PostgreSQL missing: the PostgreSQL tests (apps/fleet/src/storage/store.test.ts, apps/fleet/test/shards.test.ts) are SKIPPED. Install Debian's 'postgresql' or set PG_BIN." >&2 ;;
  esac
done
