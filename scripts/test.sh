#!/usr/bin/env bash
# Install landuse with its test dependencies and the real components the tests use
# (Chromium for the map tests, PostgreSQL + PostGIS for the project-bank store), then run
# the whole test suite (unit tests, doctests, notebooks, packaging). CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(chromium postgresql postgresql-15-postgis-3 fonts-wqy-microhei)

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif sudo -n true 2>/dev/null; then SUDO=(sudo -n); else SUDO=(none); fi
    if [ "${SUDO[0]:-}" != "none" ]; then
        missing=()
        for pkg in "${SYSTEM_PACKAGES[@]}"; do
            dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
        done
        # the package lists are also needed by tests that `apt-get download` real data
        "${SUDO[@]}" apt-get update -qq
        if [ "${#missing[@]}" -gt 0 ]; then
            "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends "${missing[@]}"
        fi
    else
        echo "note: not root and no sudo: install ${SYSTEM_PACKAGES[*]} yourself;" \
             "tests that need them are skipped outside CI" >&2
    fi
fi

python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet -e ".[test]"
python3 -m pytest "$@"
