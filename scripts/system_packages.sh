#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing and we are root;
# otherwise says exactly what to install.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
# pg_dump/pg_restore for backup and restore on PostgreSQL.
[ -z "${DATABASE_URL:-}" ] || command -v pg_dump >/dev/null || need+=(postgresql-client)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "opsqm's tests need these Debian packages: ${need[*]}"
  echo "Install them with: sudo apt-get install ${need[*]}"
  echo "(make run works without them; make test needs them)"
fi
