#!/bin/sh
# Install Debian's Chromium for the browser test suite (tests/browser) when it is missing.
# Safe to run more than once: it does nothing when /usr/bin/chromium is already present.
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null

if [ ! -x /usr/bin/chromium ]; then
    echo "chromium was installed but /usr/bin/chromium is missing" >&2
    exit 1
fi
echo "installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
