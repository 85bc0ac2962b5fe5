#!/usr/bin/env bash
# Installs Debian's Chromium for the end-to-end suite (Playwright drives /usr/bin/chromium; it never downloads a
# browser of its own). Run by the build when /usr/bin/chromium is missing (profile install-chromium in pom.xml).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && apt-get install -y -qq chromium
else
  sudo apt-get update -qq && sudo apt-get install -y -qq chromium
fi
