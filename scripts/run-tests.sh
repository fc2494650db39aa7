#!/usr/bin/env bash
# Set up (first run only) and run the whole test suite: fast, slow and browser (e2e) tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh test
python -m pytest -m "slow or e2e or not (slow or e2e)" "$@"
