#!/usr/bin/env bash
# Fuzzes the running API with schemathesis (pinned; provisioned by `scripts/provision.sh schemathesis`), one
# run per role, every check on. Exit 0 when every role passes, 1 on any failure or error, 2 on bad usage.
#
#   bash scripts/fuzz.sh --base-url http://127.0.0.1:3000/api/v1 --tokens tokens.json [-- more `st run` args]
#   bash scripts/fuzz.sh --schema http://127.0.0.1:3000/api/v1/openapi.json --tokens tokens.json
#
# --base-url URL   the API's complete base URL (FUZZ_BASE_URL); the document is then <base-url>/openapi.json
# --schema URL     the OpenAPI document (FUZZ_SCHEMA), a URL or a file; with a URL alone, requests go to its
#                  origin plus the document's `servers` path
# --tokens FILE    JSON {"role": "bearer token", ...} (FUZZ_TOKENS_FILE; or the JSON itself in FUZZ_TOKENS)
# --roles a,b      only these roles (FUZZ_ROLES)
# --report-dir D   where each role's junit.xml and output.txt go (FUZZ_REPORT_DIR; default data/fuzz/<role>)
# Only loopback URLs are accepted, and proxies are ignored.
#
# Environment (defaults):
#   FUZZ_MAX_EXAMPLES=20        test cases per operation and phase
#   FUZZ_SEED=20261202          the same requests every run
#   FUZZ_DETERMINISTIC=         1: Hypothesis' derandomized mode (a seed per test, FUZZ_SEED unused)
#   FUZZ_PHASES=examples,coverage,fuzzing,stateful
#   FUZZ_WORKERS=1              concurrent workers (or 'auto')
#   FUZZ_REQUEST_TIMEOUT=10     seconds per request (a timed-out request is a failure)
#   FUZZ_TIMEOUT=600            hard wall, seconds per role: the run is killed and fails past it
#   FUZZ_MAX_TIME=              unset: runs end when the examples are spent. Set: schemathesis repeats
#                               fuzzing and stateful until that many seconds are spent (a time box, not a cap)
#   FUZZ_EXCLUDE_CHECKS=        checks to leave out, comma-separated (`st run --help` lists them)
#   FUZZ_PEERS=                 two or more roles that must not see each other's objects
#                               (enables object_level_authorization between them)
#   FUZZ_FAIL_ON_WARNINGS=      schemathesis warnings that fail the run, e.g. missing_auth,missing_test_data
#   FUZZ_WAIT_FOR_SCHEMA=30     seconds to wait for the document to be served
#   FUZZ_PARAMETERS=            JSON {"name": value}: fixed values for those parameters (e.g. a real compoundId)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/provision.sh" schemathesis >/dev/null
exec python3 "$root/scripts/fuzz.py" "$@"
