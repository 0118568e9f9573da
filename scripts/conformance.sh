#!/usr/bin/env bash
# Conformance of the served API with its OpenAPI document, on a throwaway database holding the
# demo year: schemathesis (all checks, all phases including stateful), then TypeScript types
# generated with openapi-typescript and a sample client type-checked with tsc. Exits non-zero on
# any failure.
#
# Settings (environment): SEED (20231130; fixed so CI is deterministic, set another to explore),
# PORT (18080), CONFORMANCE_MAX_EXAMPLES (schemathesis' default), CARGO_TARGET_DIR (cargo's
# default), KEEP=1 keeps the temporary directory.
#
# What schemathesis accepts beyond its defaults, and why, is in conformance/schemathesis.toml;
# conformance/hooks.py adds the check that keeps those allowances narrow.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
port="${PORT:-18080}"
seed="${SEED:-20231130}"
password="conformance-$RANDOM$RANDOM"
work="$(mktemp -d /tmp/fuyi-conformance.XXXXXX)"
# Where root runs this, the private PostgreSQL runs as `postgres`, which must reach its data.
chmod 755 "$work"
started=$SECONDS
server_pid=""

cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ "${KEEP:-0}" != 1 ]]; then
        rm -rf "$work"
    else
        echo "kept $work"
    fi
}
trap cleanup EXIT

echo "== seed: $seed (rerun with SEED=$seed)"

echo "== python environment"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-conformance.txt"

echo "== build"
(cd "$root" && cargo build --quiet --bin fuyi)
bin="${CARGO_TARGET_DIR:-$root/target}/debug/fuyi"

# No DATABASE_URL: the service starts its own PostgreSQL in the throwaway data directory.
export FUYI_DATA_DIR="$work/data"
unset DATABASE_URL FUYI_DATABASE_URL || true
export FUYI_BIND="127.0.0.1:$port"
# The fuzzer signs in and refreshes far more often than a person; the limit would answer 429.
export FUYI_AUTH_RATE_PER_MINUTE=0
mkdir -p "$FUYI_DATA_DIR"

echo "== demo year"
"$bin" demo --year 2023 --password "$password" > "$work/demo.log" 2>&1 || {
    cat "$work/demo.log"
    exit 1
}

echo "== serve on $FUYI_BIND"
"$bin" serve > "$work/serve.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
    if curl -fsS "$base/health/ready" > /dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        cat "$work/serve.log"
        exit 1
    fi
    sleep 0.5
done
curl -fsS "$base/health/ready" > /dev/null

token="$(curl -fsS -X POST "$base/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"head\",\"password\":\"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"
curl -fsS "$base/api-docs/openapi.json" -o "$work/openapi.json"

status=0

echo "== schemathesis (all checks, all phases)"
# One worker and no example database: the same seed then sends the same requests in the same
# order, so a rerun gives the same result.
sc_args=(run "$base/api-docs/openapi.json" --url "$base"
    -H "Authorization: Bearer $token" -c all --seed "$seed"
    --phases examples,coverage,fuzzing,stateful
    --workers 1 --generation-database none)
if [[ -n "${CONFORMANCE_MAX_EXAMPLES:-}" ]]; then
    sc_args+=(--max-examples "$CONFORMANCE_MAX_EXAMPLES")
fi
(
    cd "$work"
    PYTHONPATH="$here/conformance" SCHEMATHESIS_HOOKS=hooks \
        "$work/venv/bin/schemathesis" --config-file "$here/conformance/schemathesis.toml" \
        "${sc_args[@]}"
) || status=1

echo "== openapi-typescript + tsc"
cp "$here/conformance/package.json" "$here/conformance/package-lock.json" \
    "$here/conformance/tsconfig.json" "$here/conformance/client-sample.ts" "$work/"
(
    cd "$work"
    npm ci --silent --no-audit --no-fund
    npx --no-install openapi-typescript openapi.json -o fuyi-api.d.ts
    npx --no-install tsc -p tsconfig.json
) || status=1

echo "== done in $((SECONDS - started)) s, seed $seed, status $status"
exit "$status"
