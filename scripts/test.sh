#!/usr/bin/env bash
# Set everything up and run the whole test suite: lint, types, then tests on SQLite and on a
# real PostgreSQL server that the test run starts on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev --speakers
export RUSHES_REQUIRE_PG=1
.venv/bin/ruff check src tests bench
.venv/bin/mypy
jobs="${RUSHES_TEST_JOBS:-2}"
.venv/bin/python -m pytest -n "$jobs" -q "$@"
