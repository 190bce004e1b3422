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
npx jest "$@"
# With no arguments (the whole suite, as CI runs it): the calendar-sensitive tests again at pinned instants,
# then the fault test (kill -9 of worker, Temporal and database mid-burst and mid-vote; its own stack).
if [ "$#" -eq 0 ]; then
  echo "== date check"
  node_modules/.bin/tsx scripts/date-check.ts
  echo "== faults"
  GONGZHI_CHAOS=1 npx jest test/chaos
fi
