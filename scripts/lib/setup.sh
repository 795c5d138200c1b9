# Shared by scripts/demos.sh and scripts/test.sh: install what is missing, or say exactly
# how. System packages come from apt when we are root; otherwise we print the command.

# The embedded media server's player (and, later, filters) run GStreamer through a python3-gi
# helper; the media repository measures recordings and takes thumbnails with ffmpeg.
MEDIA_PACKAGES=(ffmpeg python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-opencv opencv-data gir1.2-gdkpixbuf-2.0 librsvg2-common)
# qrencode draws the QR codes of the ZBarFilter scenarios; util-linux has unshare and taskset;
# libsrtp2-dev, gcc and make build the engine's optional native send path, which tests cover.
TEST_PACKAGES=(chromium iproute2 iptables util-linux bsdutils procps coturn openssl qrencode libsrtp2-dev gcc libc6-dev make "${MEDIA_PACKAGES[@]}")
# Without these the calls and recording still work; the player and thumbnails do not.
DEMO_PACKAGES=("${MEDIA_PACKAGES[@]}")

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

ensure_system_packages() {
  local -a wanted
  if [ "$1" = test ]; then wanted=("${TEST_PACKAGES[@]}"); else wanted=("${DEMO_PACKAGES[@]}"); fi
  [ ${#wanted[@]} -eq 0 ] && return 0
  command -v dpkg-query >/dev/null || { echo "note: not a Debian/Ubuntu system; install: ${wanted[*]}" >&2; return 0; }
  local missing
  missing=$(missing_packages "${wanted[@]}" | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "Installing system packages: $missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "Missing system packages. Install them with:" >&2
    echo "  sudo apt-get install -y $missing" >&2
    # The demos run without them (the player and thumbnails say what is missing); tests do not.
    [ "$1" = test ] && exit 1
    return 0
  fi
}

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
}

# kurento-client as applications install it from the registry, for the tests that drive the
# media server the way users' applications do (jest.registry-client.config.js).
ensure_registry_client() {
  local dir=test/registry-client
  if [ ! -d $dir/node_modules ] || [ $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]; then
    npm ci --prefix $dir --no-audit --no-fund
  fi
}
