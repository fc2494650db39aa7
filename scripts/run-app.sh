#!/usr/bin/env bash
# Set up (first run only) and start Signature at http://127.0.0.1:7860 with the demo marketplace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh app
exec python app.py
