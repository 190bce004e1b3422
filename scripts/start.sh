#!/usr/bin/env bash
# npm start: installs what is missing (dependencies, local servers), then runs scripts/dev.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
targets=()
[ -n "${MONGODB_URI:-}" ] || targets+=(ferretdb)
[ -n "${TEMPORAL_ADDRESS:-}" ] || targets+=(temporal)
for t in "${targets[@]}"; do bash scripts/provision.sh "$t"; done
# The demo's past year is lived through on Temporal's time-skipping test server (Java): without it the
# demo still starts, with today's voices only.
bash scripts/provision.sh test-server || echo "[start] no time-skipping test server (Java/Maven missing): the demo will have no past year" >&2
exec node_modules/.bin/tsx scripts/dev.ts
