#!/usr/bin/env bash
# The test command: installs what the tests need, builds, and runs every test inside a
# private network namespace that has only loopback, so WebRTC candidates never leave the
# machine. Usage: npm test [-- jest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
ensure_system_packages test
ensure_node_modules
ensure_registry_client
npm run --silent build
npm run --silent build:native
npm run --silent lint

# Everything but test/docker runs in the namespace. test/docker starts containers with
# testcontainers, whose network the namespace cannot reach; it runs outside, and skips
# (saying why) where there is no Docker engine.
in_namespace() {
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
  elif unshare -rn true 2>/dev/null; then
    unshare -rn sh -c 'ip link set lo up && exec "$@"' sh "$@"
  else
    echo "warning: cannot create a network namespace here; browser tests will gather candidates on every interface" >&2
    "$@"
  fi
}
# test/docker first: where there is no Docker engine it only skips, and the last runner's
# closing line should count tests that ran.
if [ $# -eq 0 ]; then
  npx jest test/docker
fi
in_namespace npx jest --testPathIgnorePatterns /test/docker/ "$@"
if [ $# -eq 0 ]; then
  # The demo and conformance suites again, through the registry's kurento-client (binary
  # frames, as users' Node applications send them), with the engine's TypeScript send path:
  # the run above forwarded through the native one, this one through what works without it.
  ENGINE_NATIVE_SEND=false in_namespace npx jest -c jest.registry-client.config.js
fi
