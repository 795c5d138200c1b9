#!/usr/bin/env bash
# Runs a benchmark (default: hello-world) in a loopback-only network namespace, as the
# tests do. Usage: npm run bench [-- NAME]; KMS_URL=ws://... to measure a real KMS.
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${1:-hello-world}"
npm run --silent build
cmd="node dist/scripts/bench/${name}.js"
if [ "$(id -u)" = 0 ] && [ -z "${KMS_URL:-}" ]; then
  exec unshare -n sh -c "ip link set lo up && exec $cmd"
else
  exec $cmd
fi
