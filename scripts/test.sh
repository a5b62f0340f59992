#!/usr/bin/env bash
# Install landuse with its test dependencies and run the whole test suite
# (unit tests, doctests, notebooks, the packaging check). CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet -e ".[test]"
python3 -m pytest "$@"
