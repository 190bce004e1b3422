#!/usr/bin/env bash
# npm test: the whole suite against real servers — lint, types, then Jest (domain, workflows on the
# time-skipping server, API and end-to-end on the Temporal dev server and FerretDB/MongoDB).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
bash scripts/provision.sh all
echo "== lint" && npx eslint . && npx prettier --check . >/dev/null
echo "== types" && npx tsc --noEmit -p .
echo "== tests"
exec npx jest "$@"
