#!/usr/bin/env bash
# The test command: installs what the tests need, builds, and runs every test inside a
# private network namespace that has only loopback, so WebRTC candidates never leave the
# machine. Usage: npm test [-- jest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
ensure_system_packages test
ensure_node_modules
npm run --silent build
npm run --silent lint

if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
  exec unshare -n sh -c 'ip link set lo up && exec npx jest "$@"' jest "$@"
elif unshare -rn true 2>/dev/null; then
  exec unshare -rn sh -c 'ip link set lo up && exec npx jest "$@"' jest "$@"
else
  echo "warning: cannot create a network namespace here; browser tests will gather candidates on every interface" >&2
  exec npx jest "$@"
fi
