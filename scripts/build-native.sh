#!/usr/bin/env bash
# Builds the engine's optional native send path (packages/srtp-send: libsrtp2 and a direct UDP
# send) with node-gyp, from Debian's packages: libsrtp2-dev, gcc, make, and the headers of the
# Node that runs it (Debian's nodejs ships them in /usr/include/node). Nothing is downloaded.
# The engine uses it when it is built (ENGINE_NATIVE_SEND=false turns it off) and works the
# same without it. Usage: npm run build:native
set -euo pipefail
cd "$(dirname "$0")/../packages/srtp-send"
node_bin="$(readlink -f "$(command -v node)")"
nodedir="$(dirname "$(dirname "$node_bin")")"
if [ ! -f "$nodedir/include/node/node_api.h" ]; then
  echo "build-native: no Node headers in $nodedir/include/node (Debian: apt-get install nodejs)" >&2
  exit 1
fi
if [ ! -f /usr/include/srtp2/srtp.h ]; then
  echo "build-native: libsrtp2 is missing (Debian: apt-get install libsrtp2-dev)" >&2
  exit 1
fi
# npm gives its own node-gyp to scripts it runs; otherwise, npm's bundled copy.
gyp="${npm_config_node_gyp:-$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js}"
node "$gyp" rebuild --nodedir="$nodedir" --loglevel=warn
