#!/usr/bin/env bash
# Install headless Chromium from the Debian/Ubuntu packages for the site's browser test
# (tools/check_site.py, tests/test_site.py). Needs root or sudo and apt-get; prints why and exits 0
# where it cannot install (the browser test is then skipped, with that reason). Already installed: nothing to do.
set -uo pipefail
for c in chromium chromium-headless-shell chromium-browser google-chrome; do
  if command -v "$c" >/dev/null 2>&1; then echo "browser: $(command -v "$c") is installed"; exit 0; fi
done
if [ -x /usr/lib/chromium/chromium-headless-shell ]; then echo "browser: /usr/lib/chromium/chromium-headless-shell is installed"; exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "browser: no apt-get on this system; install Chromium yourself (or set NPDL_CHROMIUM) to run the browser test"; exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "browser: installing Chromium needs root (or password-less sudo); the browser test will be skipped"; exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Debian names the package chromium (Ubuntu's is a snap wrapper: chromium-browser); try the
# package lists as they are first, then refreshed.
for attempt in cached refreshed; do
  if [ "$attempt" = refreshed ]; then $SUDO apt-get update -qq >/dev/null 2>&1 || true; fi
  for pkg in chromium chromium-headless-shell; do
    if $SUDO apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1; then
      echo "browser: installed the $pkg package"; exit 0
    fi
  done
done
echo "browser: apt-get could not install chromium or chromium-headless-shell; the browser test will be skipped"
exit 0
