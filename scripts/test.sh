#!/usr/bin/env bash
# Install landuse with its test dependencies into a virtual environment and the real components the
# tests use (Chromium for the map tests, PostgreSQL + PostGIS for the project-bank store, a CJK
# font for charts and screenshots), then run the whole test suite (unit tests, doctests, notebooks,
# packaging). The README's second set-up command; CI (.ci/run) runs exactly this.
#
#   bash scripts/test.sh [PYTEST ARGS…]
#
# The virtual environment is the active one ($VIRTUAL_ENV) or ./.venv (created if missing).
# LANDUSE_VENV=DIR picks another folder; LANDUSE_CONSTRAINTS=FILE installs with a pip constraints
# file (CI runs the suite a second time with scripts/constraints-oldest.txt: the oldest versions that
# pyproject.toml allows).
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(chromium postgresql postgresql-15-postgis-3 fonts-wqy-microhei libreoffice-calc-nogui python3-qgis)
# what they are for, printed when they cannot be installed
WHY="chromium: the tests open every map in a headless browser; postgresql + postgis: the project bank's shared-server backend; fonts-wqy-microhei: Chinese text in charts and static maps; libreoffice-calc-nogui: workbooks are opened as analysts open them; python3-qgis: GeoPackage layers are opened in QGIS with their stored styles and field aliases"

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif sudo -n true 2>/dev/null; then SUDO=(sudo -n); else SUDO=(none); fi
    missing=()
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ "${SUDO[0]:-}" != "none" ]; then
        # the package lists are also needed by tests that `apt-get download` public test data
        "${SUDO[@]}" apt-get update -qq
        if [ "${#missing[@]}" -gt 0 ]; then
            "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends "${missing[@]}"
        fi
    elif [ "${#missing[@]}" -gt 0 ]; then
        echo "note: not root and no sudo, so these system packages are not installed: ${missing[*]}" >&2
        echo "      ($WHY)." >&2
        echo "      Install them with: sudo apt-get install ${missing[*]}" >&2
        echo "      Until then the tests that need them are skipped, each saying why (in CI they fail)." >&2
    fi
fi

if [ -n "${VIRTUAL_ENV:-}" ] && [ -z "${LANDUSE_VENV:-}" ]; then
    PY="$VIRTUAL_ENV/bin/python"
else
    VENV="${LANDUSE_VENV:-.venv}"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    PY="$VENV/bin/python"
fi

PIP_ARGS=(--quiet)
if [ -n "${LANDUSE_CONSTRAINTS:-}" ]; then
    PIP_ARGS+=(--constraint "$LANDUSE_CONSTRAINTS")
fi
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install "${PIP_ARGS[@]}" -e ".[test]"
if [ -n "${LANDUSE_CONSTRAINTS:-}" ]; then
    "$PY" -m pip list --format=freeze | grep -iE '^(numpy|pandas|shapely|pyproj|geopandas|pyogrio|pyarrow|rasterio|folium|branca|exactextract|mapclassify|click|openpyxl|tqdm)=='
fi

status=0
"$PY" -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests (exit 5); the suite must run" >&2
    exit 1
fi
exit "$status"
