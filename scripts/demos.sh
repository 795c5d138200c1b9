#!/usr/bin/env bash
# The demo command: installs the npm packages, builds, and runs the server with the
# embedded media server. Open the printed address. Usage: npm run demos
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
ensure_system_packages demos
ensure_node_modules
npm run --silent build
exec node dist/server/index.js
