#!/usr/bin/env bash
# The import and statistics benchmark (issue 5). From the repository root:
#
#     bench/run.sh                  # 1,000,000 cases over 2016-2025, 30 timed runs each
#     ROWS=200000 RUNS=10 bench/run.sh
#     BUILD=0 FUYI=/path/to/fuyi bench/run.sh     # measure another binary, as it is
#
# Builds the release binary; starts a throwaway PostgreSQL with default settings (as `fuyi` starts
# its own) on a free port under $CARGO_TARGET_DIR/bench/ (target/bench/ by default); creates a
# city, three districts, their respondents and a statistician; generates the cases with bench/gen_import.py and imports them with
# `fuyi import` in two files (the first SMALL cases, then the rest), and after each import serves
# the API and measures the monthly endpoint against bench/plain.sql side by side
# (bench/measure.py), with the service's memory after start and after the requests. Writes
# bench/REPORT.md. Everything under that bench/ directory is removed at the end unless KEEP=1.
set -euo pipefail

ROWS=${ROWS:-1000000}
SMALL=${SMALL:-100000}
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${BENCH_DIR:-$TARGET/bench}
FUYI=${FUYI:-$TARGET/release/fuyi}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGBIN=${PGBIN:-$(dirname "$(command -v pg_ctl)")}
COMMAND="${ROWS:+ROWS=$ROWS }bench/run.sh"
# The code measured is the code as the run starts; edits made while it runs do not count.
COMMIT=${COMMIT:-$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)}

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# PostgreSQL refuses to run as root; run it as `postgres` then (there is no sudo here).
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    [ -d "$WORK/pg/data" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

if [ "${BUILD:-1}" = 1 ]; then
    log "building the release binary"
    (cd "$ROOT" && cargo build --release --quiet)
fi

rm -rf "$WORK"
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$WORK/pg"
chmod 700 "$WORK/pg"
PGPORT=$(free_port)
log "starting PostgreSQL on port $PGPORT"
as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
    -o "-p $PGPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK/pg" start >/dev/null
ADMIN_URL=postgres://postgres@127.0.0.1:$PGPORT/postgres
export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/fuyi
psql -X -q "$ADMIN_URL" -c "CREATE DATABASE fuyi"

export RUST_LOG=${RUST_LOG:-warn}
"$FUYI" migrate up >/dev/null
"$FUYI" organ add --code city --name 福州市人民政府 --short-name 榕 >/dev/null
for district in "d1 鼓楼区人民政府 鼓" "d2 台江区人民政府 台" "d3 仓山区人民政府 仓"; do
    set -- $district
    "$FUYI" organ add --code "$1" --name "$2" --short-name "$3" --parent city >/dev/null
done
PASSWORD_FILE=$WORK/password
python3 -c 'import secrets; print(secrets.token_urlsafe(18))' > "$PASSWORD_FILE"
"$FUYI" user add --username bench-stat --organ city --role statistician --password-stdin \
    < "$PASSWORD_FILE" >/dev/null
ORGANS=$(psql -X -At "$DATABASE_URL" -c \
    "SELECT array_agg(id)::text FROM organs WHERE path LIKE (SELECT path FROM organs WHERE code = 'city') || '%'")

log "generating $SMALL + $((ROWS - SMALL)) cases"
python3 "$ROOT/bench/gen_import.py" --rows "$SMALL" --seed 1 --out "$WORK/first.csv" \
    --respondents-sql "$WORK/respondents.sql"
python3 "$ROOT/bench/gen_import.py" --rows "$((ROWS - SMALL))" --seed 2 --out "$WORK/rest.csv"
psql -X -q "$DATABASE_URL" -f "$WORK/respondents.sql"

IMPORTS=$WORK/imports.jsonl
: > "$IMPORTS"
import_file() {  # import_file FILE LABEL
    log "importing $2"
    local out
    out=$("$FUYI" import "$1")
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    printf '%s\n' "$out" | head -1 | python3 -c '
import json, re, sys
m = re.match(r"imported (\d+) cases in ([0-9.]+) s \(([0-9]+) cases/s\)", sys.stdin.read())
print(json.dumps({"file": sys.argv[1], "cases": int(m[1]), "seconds": float(m[2]), "rate": float(m[3])}))
' "$2" >> "$IMPORTS"
    # What autovacuum would do shortly after: the visibility map lets the figures' index-only
    # scans skip the heap.
    psql -X -q "$DATABASE_URL" -c "VACUUM (ANALYZE) cases, case_parties, case_events, statistics_days, statistics_handling_days"
}

RESULTS=$WORK/results.json
measure_phase() {  # measure_phase LABEL CASES
    local port
    port=$(free_port)
    FUYI_BIND=127.0.0.1:$port FUYI_JWT_SECRET=bench-secret-that-is-at-least-32-bytes-long \
        RUST_LOG=info "$FUYI" serve > "$WORK/serve-$1.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
        sleep 0.2
    done
    sleep 1
    log "measuring at $2 cases (service pid $SERVER_PID, port $port)"
    python3 "$ROOT/bench/measure.py" phase --label "$1" --cases "$2" \
        --base-url "http://127.0.0.1:$port" --username bench-stat --password-file "$PASSWORD_FILE" \
        --pid "$SERVER_PID" --db "$DATABASE_URL" --organs "$ORGANS" \
        --plain-sql "$ROOT/bench/plain.sql" --results "$RESULTS" --runs "$RUNS" --warmup "$WARMUP"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

import_file "$WORK/first.csv" "first.csv (into an empty database)"
measure_phase small "$SMALL"
import_file "$WORK/rest.csv" "rest.csv (on top of first.csv)"
measure_phase full "$ROWS"

python3 - "$WORK/meta.json" "$IMPORTS" "$COMMAND" "$ROOT" "$DATABASE_URL" "$COMMIT" <<'EOF'
import json, os, platform, subprocess, sys, datetime
meta_path, imports, command, root, db, commit = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
meta = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "command": command,
    "machine": f"{os.cpu_count()} CPUs ({cpu}), {int(mem) // 1024 // 1024} GiB RAM, {platform.system()} {platform.release()}",
    "postgres": subprocess.run(["psql", "-X", "-At", db, "-c", "SHOW server_version"], capture_output=True, text=True).stdout.strip(),
    "commit": commit,
    "loadavg": " / ".join(open("/proc/loadavg").read().split()[:3]),
    "imports": [json.loads(l) for l in open(imports) if l.strip()],
    "notes_file": os.path.join(root, "bench", "NOTES.md"),
}
json.dump(meta, open(meta_path, "w"), indent=1)
EOF
python3 "$ROOT/bench/measure.py" report --results "$RESULTS" --meta "$WORK/meta.json" \
    --out "$ROOT/bench/REPORT.md"
log "wrote bench/REPORT.md"
