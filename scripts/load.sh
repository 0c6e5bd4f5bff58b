#!/usr/bin/env bash
# Load test of `trialmatch serve` on loopback (issue 22 item 4a): one example
# patient × one seed trial, explained (POST /api/v1/match?trial=…), for a
# bounded time. Prints requests/s and p50 / p99 latency (wrk).
#
#   scripts/load.sh [SECONDS] [CONNECTIONS]       (defaults: 20 s, 8 connections)
#
# Uses a temporary demo store, a fresh token and a free loopback port; never
# listens on another interface. Installs wrk (Debian) when missing; builds the
# release binary unless TRIALMATCH_BIN names one.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-20}
CONNS=${2:-8}
[ "$SECS" -le 600 ] || { echo "at most 600 s" >&2; exit 2; }
if ! command -v wrk >/dev/null; then
  (sudo -n apt-get install -y wrk || apt-get install -y wrk) >/dev/null
fi
BIN=${TRIALMATCH_BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release -q -p trialmatch
  BIN="${CARGO_TARGET_DIR:-target}/release/trialmatch"
fi
TMP=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
DB="$TMP/load.db"
"$BIN" --db "$DB" -q demo --no-screening >/dev/null
TOKEN=$("$BIN" --db "$DB" token create load)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TRIALMATCH_LOG=warn "$BIN" --db "$DB" serve --addr "127.0.0.1:$PORT" 2>"$TMP/serve.log" &
PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break; sleep 0.1; done
PATIENT=examples/patients/seed000-eligible.json
URL="http://127.0.0.1:$PORT/api/v1/match?as_of=2025-03-01&trial=NCT06310590"
cat > "$TMP/post.lua" <<LUA
wrk.method = "POST"
local f = io.open("$PATIENT", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" --data-binary @"$PATIENT" "$URL")" = 200
echo "one patient × one seed trial (explained), $CONNS connections, ${SECS} s, $(nproc) cores:"
THREADS=$(( CONNS < 2 ? 1 : 2 ))
wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency -s "$TMP/post.lua" "$URL" | grep -E "RESULT|Non-2xx|Socket errors" || true
