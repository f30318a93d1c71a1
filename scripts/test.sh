#!/usr/bin/env bash
# `make test`: the whole suite on SQLite (browser tests included), then again on PostgreSQL
# without the browser tests when a server answers on 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."

.venv/bin/pytest "$@"

if .venv/bin/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then
  echo "== PostgreSQL =="
  TEST_DATABASE=postgresql .venv/bin/pytest -m "not browser" "$@"
elif [ "${CI:-}" = true ]; then
  echo "PostgreSQL does not answer on 127.0.0.1:5432, and CI needs it." >&2
  exit 1
else
  echo "PostgreSQL does not answer on 127.0.0.1:5432: its run is skipped." >&2
fi
