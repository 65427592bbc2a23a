#!/usr/bin/env bash
# Exploratory fuzzing: the schemathesis CLI against a live uvicorn (default settings: feed
# worker in process) on a random loopback port, a fresh SQLite database with the sample
# data, once with an admin key and once with an enterprise key. Called by `scripts/bench
# fuzz [EXAMPLES]`. The webhook routes are left out here: saving a webhook resolves its host
# name, and this run must not send DNS queries; tests/fuzz covers them with lookups refused.
set -euo pipefail
examples="${1:-50}"
tmp="$(mktemp -d /tmp/panhuo-fuzz.XXXXXX)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export DATABASE_URL="sqlite:///$tmp/fuzz.db" PANHUO_INDEX_DIR="$tmp/index"
export PANHUO_IMPORT_DIR="$tmp/imports" PANHUO_RATE_LIMIT_PER_MINUTE=100000000
panhuo migrate >/dev/null
panhuo load-sample >/dev/null
admin="$(panhuo admin create-key --role admin --name fuzz | tail -n 1)"
enterprise="$(panhuo admin create-key --role enterprise --enterprise-id 1 --name fuzz | tail -n 1)"
port="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
uvicorn app.main:app --host 127.0.0.1 --port "$port" --log-level warning 2>"$tmp/server.log" &
server=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
# A key that does not work would turn the run into thousands of 401s.
for key in "$admin" "$enterprise"; do
  curl -sf -o /dev/null -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/patents/screening/sleeping" ||
    curl -s -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/needs"
done
status=0
for key in "$admin" "$enterprise"; do
  st run "http://127.0.0.1:$port/openapi.json" --header "Authorization: Bearer $key" \
    --max-examples "$examples" --seed 15 --exclude-path-regex '/webhooks|/revoke$' \
    --generation-with-security-parameters false \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    || status=$?
done
echo "server log: $(grep -c 'unhandled error' "$tmp/server.log" || true) unhandled errors"
grep -A 30 'unhandled error' "$tmp/server.log" | head -200 || true
exit "$status"
