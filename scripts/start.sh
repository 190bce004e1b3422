#!/usr/bin/env bash
# npm start: installs what is missing (dependencies, local servers), then runs scripts/dev.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
targets=()
[ -n "${MONGODB_URI:-}" ] || targets+=(ferretdb)
[ -n "${TEMPORAL_ADDRESS:-}" ] || targets+=(temporal)
for t in "${targets[@]}"; do bash scripts/provision.sh "$t"; done
exec node_modules/.bin/tsx scripts/dev.ts
