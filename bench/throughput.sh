#!/usr/bin/env bash
# Throughput of the everyday requests against PostgreSQL doing the same necessary work (issue 16).
# From the repository root:
#
#     bench/throughput.sh                    # 15 s per measurement
#     DURATION=5 bench/throughput.sh
#     ROUNDS=5 bench/throughput.sh           # pgbench and wrk alternate ROUNDS times (default 3)
#     BUILD=0 FUYI=/path/to/fuyi bench/throughput.sh     # measure another binary, as it is
#     PHASES="get" bench/throughput.sh       # only some of get, assign, register (a profile's run)
#     PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements" ...   # more server settings
#
# Builds the release binary; starts a throwaway PostgreSQL with default settings on a free port
# under $CARGO_TARGET_DIR/throughput (removed at the end unless KEEP=1); fills it with the demo
# year (`fuyi demo --year 2023`); serves it with `fuyi serve`; then, for each request, runs
# pgbench doing only the request's necessary SQL (bench/throughput/*.sql,
# `pgbench -n -M prepared -c 16 -j 2 -T $DURATION`) and right after it wrk against the service
# (bench/throughput/*.lua), and writes both, their ratio and the service's VmRSS to
# bench/THROUGHPUT.md.
#
# Who does what, so that both sides do the same work:
#   - GET /api/v1/cases/{id}: the city's `officer` reads random demo cases they neither registered
#     nor handle (a masked view, so no personal-data audit row); wrk -t2 -c32.
#     pgbench: the case row, then its parties.
#   - POST /api/v1/cases/{id}/transitions `assign` with If-Match: 32 cases registered first by the
#     city's `head`; 16 are pgbench's, 16 the service's; each connection acts on its own case.
#     Assigning needs the head role, and the head of the case's organ sees the answer unmasked,
#     which the service records in the personal-data audit; wrk -t16 -c16.
#     pgbench: lock the case row, update it, insert the event and the audit row, in one
#     transaction.
#   - POST /api/v1/cases: the city's `officer` registers an application (two parties); wrk -t2
#     -c16. The registrar sees the answer unmasked, which the service records in the
#     personal-data audit, so pgbench's one statement inserts the case, its two parties, the
#     event and that audit row.
set -euo pipefail

DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
FUYI=${FUYI:-$TARGET/release/fuyi}
WORK=${BENCH_DIR:-$TARGET/throughput}
HERE=$ROOT/bench/throughput
REPORT=${REPORT:-$ROOT/bench/THROUGHPUT.md}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGBIN=${PGBIN:-$(dirname "$(command -v pg_ctl)")}
COMMIT=${COMMIT:-$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)}
PASSWORD=throughput-bench-password

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

SERVER_PID=""
SAMPLER_PID=""
cleanup() {
    [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    [ -d "$WORK/pg/data" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y wrk >/dev/null; }
if [ "${BUILD:-1}" = 1 ]; then
    log "building the release binary"
    (cd "$ROOT" && cargo build --release --quiet)
fi

rm -rf "$WORK"
mkdir -p "$WORK/pg"
chmod 755 "$WORK"
[ "$(id -u)" = 0 ] && chown postgres: "$WORK/pg"
chmod 700 "$WORK/pg"
PGPORT=$(free_port)
log "starting PostgreSQL on port $PGPORT"
as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
    -o "-p $PGPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK/pg ${PG_OPTIONS:-}" start >/dev/null
export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/fuyi
psql -X -q "postgres://postgres@127.0.0.1:$PGPORT/postgres" -c "CREATE DATABASE fuyi"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }

export RUST_LOG=${RUST_LOG:-warn}
"$FUYI" migrate up >/dev/null
log "generating the demo year"
printf '%s\n' "$PASSWORD" | "$FUYI" demo --year 2023 --password-stdin >"$WORK/demo.txt"

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
FUYI_BIND=127.0.0.1:$PORT FUYI_JWT_SECRET=throughput-bench-secret-at-least-32-bytes \
    "$FUYI" serve >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    curl -fs "$BASE/health/ready" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fs "$BASE/health/ready" >/dev/null || { cat "$WORK/serve.log"; exit 1; }
(
    while [ -e "/proc/$SERVER_PID/status" ]; do
        awk -v t="$(date +%s.%N)" '/^VmRSS/{print t, $2}' "/proc/$SERVER_PID/status" 2>/dev/null || true
        sleep 0.25
    done
) >"$WORK/rss.txt" &
SAMPLER_PID=$!

token() {
    curl -fs "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
OFFICER_TOKEN=$(token officer)
HEAD_TOKEN=$(token head)
OFFICER=$(sql -c "SELECT id FROM users WHERE username = 'officer'")
HEAD=$(sql -c "SELECT id FROM users WHERE username = 'head'")
CITY=$(sql -c "SELECT organ_id FROM users WHERE username = 'officer'")
RESPONDENT=$(sql -c "SELECT id FROM respondents WHERE organ_id = '$CITY' ORDER BY id LIMIT 1")
RECEIVED=$(date -u -d '-3 days' +%F)
LEARNED=$(date -u -d '-20 days' +%F)
ACT=$(date -u -d '-25 days' +%F)
cat >"$WORK/body.json" <<JSON
{"respondent_id":"$RESPONDENT","received_on":"$RECEIVED","channel":"online",
 "act_type":"administrative_penalty","act_document_number":"榕公罚〔2026〕12号",
 "act_date":"$ACT","learned_on":"$LEARNED","amount_fen":200000,
 "request":"撤销榕公罚〔2026〕12号行政处罚决定","reasons":"认定事实不清，证据不足",
 "parties":[{"role":"applicant","kind":"natural_person","name":"张三",
             "id_number":"350102199001011234","phone":"13812345678"},
            {"role":"agent","kind":"natural_person","name":"李律师","acts_for":0}]}
JSON

log "registering 32 cases to act on (as head)"
for _ in $(seq 32); do
    curl -fs -o /dev/null "$BASE/api/v1/cases" -H "Authorization: Bearer $HEAD_TOKEN" \
        -H 'Content-Type: application/json' --data-binary "@$WORK/body.json"
done
sql <<SQL
CREATE TABLE bench_read AS
    SELECT row_number() OVER (ORDER BY id) AS n, id FROM cases
    WHERE created_by IS DISTINCT FROM '$OFFICER' AND created_by IS DISTINCT FROM '$HEAD'
      AND NOT handlers @> ARRAY['$OFFICER'::uuid]
      AND organ_id <> '$CITY';
CREATE UNIQUE INDEX ON bench_read (n);
CREATE TABLE bench_move AS
    SELECT row_number() OVER (ORDER BY id) AS n, id FROM cases WHERE created_by = '$HEAD';
CREATE UNIQUE INDEX ON bench_move (n);
ANALYZE;
SQL
NREAD=$(sql -c "SELECT count(*) FROM bench_read")
sql -c "SELECT id FROM bench_read" >"$WORK/read_ids.txt"
TEMPLATE=$(sql -c "SELECT id FROM bench_move WHERE n = 1")
COLUMNS=$(sql -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns
    WHERE table_name = 'cases' AND column_name <> 'id' AND is_generated = 'NEVER'")
cat >"$WORK/register.sql" <<SQL
-- The necessary work of POST /api/v1/cases: the case, its two parties, its event and the
-- registrar's personal-data audit row, in one statement (copied from a registered case).
WITH c AS (
    INSERT INTO cases (id, $COLUMNS)
    SELECT gen_random_uuid(), $COLUMNS FROM cases WHERE id = '$TEMPLATE'
    RETURNING id, received_on
), p AS (
    INSERT INTO case_parties (id, case_id, position, role, kind, name, id_number, phone, address, acts_for)
    SELECT gen_random_uuid(), c.id, p.position, p.role, p.kind, p.name, p.id_number, p.phone, p.address, p.acts_for
    FROM c, case_parties p WHERE p.case_id = '$TEMPLATE'
), a AS (
    INSERT INTO personal_data_audit (user_id, username, case_id, endpoint)
    SELECT '$OFFICER', 'officer', c.id, 'POST /api/v1/cases' FROM c
)
INSERT INTO case_events (case_id, seq, action, from_state, to_state, actor_id, occurred_on, payload)
SELECT c.id, 1, 'register', NULL, 'received', '$OFFICER', c.received_on,
       jsonb_build_object('respondent_id', '$RESPONDENT', 'received_on', c.received_on)
FROM c;
SQL

RESULTS=$WORK/results.txt
: >"$RESULTS"
pg_run() {  # pg_run NAME SCRIPT [pgbench args]
    local name=$1 script=$2
    shift 2
    log "$name: pgbench"
    local load
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    pgbench -n -M prepared -c 16 -j 2 -T "$DURATION" -f "$script" "$@" "$DATABASE_URL" \
        >"$WORK/$name.$ROUND.pgbench.txt" 2>&1 || { cat "$WORK/$name.$ROUND.pgbench.txt"; exit 1; }
    local tps
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/$name.$ROUND.pgbench.txt" | head -1)
    echo "$name pg $ROUND $tps $load" >>"$RESULTS"
}
wrk_run() {  # wrk_run NAME THREADS CONNECTIONS SCRIPT PATH [VAR=value ...]
    local name=$1 threads=$2 connections=$3 script=$4 path=$5
    shift 5
    log "$name: wrk"
    local load start end
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    start=$(date +%s.%N)
    env TOKEN="$OFFICER_TOKEN" "$@" wrk -t"$threads" -c"$connections" -d"${DURATION}s" --latency \
        -s "$script" "$BASE$path" >"$WORK/$name.$ROUND.wrk.txt" 2>&1
    end=$(date +%s.%N)
    local rps
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/$name.$ROUND.wrk.txt")
    echo "$name svc $ROUND $rps $load $start $end" >>"$RESULTS"
}

PHASES=${PHASES:-get assign register}
for ROUND in $(seq "$ROUNDS"); do
    log "round $ROUND of $ROUNDS"
    if [[ " $PHASES " == *" get "* ]]; then
        pg_run get "$HERE/get.sql" -D ncases="$NREAD"
        wrk_run get 2 32 "$HERE/get.lua" / CASES="$WORK/read_ids.txt"
    fi
    if [[ " $PHASES " == *" assign "* ]]; then
        pg_run assign "$HERE/assign.sql" -D handler="$OFFICER" -D actor="$HEAD"
        # The service's 16 cases, at their current versions (the ETags each connection starts with).
        sql -c "SELECT c.id || ' ' || c.version FROM bench_move b JOIN cases c USING (id) WHERE b.n > 16 ORDER BY b.n" \
            >"$WORK/moves.txt"
        wrk_run assign 16 16 "$HERE/assign.lua" / MOVES="$WORK/moves.txt" HANDLER="$OFFICER" TOKEN="$HEAD_TOKEN"
    fi
    if [[ " $PHASES " == *" register "* ]]; then
        pg_run register "$WORK/register.sql"
        wrk_run register 2 16 "$HERE/register.lua" / BODY="$WORK/body.json"
    fi
done
sleep 1

python3 - "$WORK" "$REPORT" "$COMMIT" "$DURATION" "$NREAD" "$ROUNDS" <<'PY'
import os, re, sys, datetime, statistics
work, report, commit, duration, nread, rounds = sys.argv[1:7]
# rows[name][side] = [(round, rate, load1, load5, load15[, start, end])]
rows = {}
for line in open(os.path.join(work, "results.txt")):
    name, side, rnd, rate, *rest = line.split()
    rows.setdefault(name, {}).setdefault(side, []).append((int(rnd), float(rate or 0), *rest))
rss = [tuple(map(float, l.split())) for l in open(os.path.join(work, "rss.txt")) if len(l.split()) == 2]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
def wrk_detail(name, rnd):
    text = open(os.path.join(work, f"{name}.{rnd}.wrk.txt")).read()
    lat = re.search(r"^\s*50%\s+(\S+)", text, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return (lat.group(1) if lat else "?", int(non2xx.group(1)) if non2xx else 0)
labels = {
    "get": ("`GET /api/v1/cases/{id}`", "case row + its parties"),
    "assign": ("`POST /api/v1/cases/{id}/transitions` (`assign`, If-Match)",
               "lock the case, update it, insert the event + audit row"),
    "register": ("`POST /api/v1/cases`",
                 "insert case + 2 parties + event + audit row in one statement"),
}
out = ["# Throughput against PostgreSQL's own\n",
       f"Run of `bench/throughput.sh` (DURATION={duration}, ROUNDS={rounds}) on commit `{commit}`, "
       f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs ({cpu}); "
       "pgbench or wrk, the service and PostgreSQL share them. Demo year 2023 "
       f"({nread} cases read at random). pgbench and wrk alternate, {rounds} rounds of each; the "
       "table gives each side's median and the ratio of the medians, the rounds follow.\n",
       "| request | PostgreSQL doing the necessary work (median) | service (median) | ratio | service median latency | service non-2xx |",
       "|---|---|---|---|---|---|"]
detail = ["\n### Each round\n",
          "| request | round | pgbench tps | service req/s | ratio | load at pgbench / at wrk |",
          "|---|---|---|---|---|---|"]
peak_all = 0.0
for name in [n for n in ["get", "assign", "register"] if n in rows]:
    pg_runs, svc_runs = rows[name].get("pg", []), rows[name].get("svc", [])
    pg = statistics.median(r[1] for r in pg_runs) if pg_runs else 0.0
    svc = statistics.median(r[1] for r in svc_runs) if svc_runs else 0.0
    ratio = svc / pg if pg else 0.0
    details = [wrk_detail(name, r[0]) for r in svc_runs]
    lats = ", ".join(d[0] for d in details)
    bad = sum(d[1] for d in details)
    label, work_desc = labels[name]
    out.append(f"| {label} | {work_desc}: {pg:,.0f} tps | {svc:,.0f} req/s | **{ratio:.2f}×** | {lats} | {bad} |")
    for p, s in zip(pg_runs, svc_runs):
        detail.append(f"| {label} | {p[0]} | {p[1]:,.0f} | {s[1]:,.0f} | {s[1] / p[1] if p[1] else 0:.2f}× | "
                      f"{' '.join(p[2:5])} / {' '.join(s[2:5])} |")
        start, end = float(s[5]), float(s[6])
        peak_all = max(peak_all, max((kb for t, kb in rss if start <= t <= end), default=0.0))
out.extend(detail)
last = rss[-1][1] if rss else 0.0
out.append(f"\nService VmRSS: peak {peak_all / 1024:.1f} MiB during the wrk runs, {last / 1024:.1f} MiB at the end "
           "(sampled every 250 ms from /proc/PID/status). Issue 16 asks each ratio ≥ 0.6× and VmRSS < 64 MiB.\n")
out.append("## Commands\n")
out.append("```sh\n"
           f"pgbench -n -M prepared -c 16 -j 2 -T {duration} -f bench/throughput/get.sql -D ncases=N $DB\n"
           f"wrk -t2 -c32 -d{duration}s -s bench/throughput/get.lua $URL        # CASES=ids file, TOKEN=officer\n"
           f"pgbench -n -M prepared -c 16 -j 2 -T {duration} -f bench/throughput/assign.sql -D handler=OFFICER -D actor=HEAD $DB\n"
           f"wrk -t16 -c16 -d{duration}s -s bench/throughput/assign.lua $URL    # TOKEN=head, MOVES=\"id version\" file, one case per connection\n"
           f"pgbench -n -M prepared -c 16 -j 2 -T {duration} -f register.sql $DB   # written by the script: one CTE statement\n"
           f"wrk -t2 -c16 -d{duration}s -s bench/throughput/register.lua $URL   # BODY=application JSON\n"
           "```\n")
open(report, "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
