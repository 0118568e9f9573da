#!/usr/bin/env bash
# The cost of the personal-data audit: case reads that show personal data unmasked (the officer
# who registered the case; each appends an audit row) against masked reads (an admin; no row),
# on the release build with its private PostgreSQL. Usage: cargo build --release && bench/audited_reads.sh
set -euo pipefail
mkdir -p "${WORK:-/tmp/fuyi-audit-bench}"
BIN=${FUYI_BIN:-${CARGO_TARGET_DIR:-target}/release/fuyi}
DATA=${WORK:-/tmp/fuyi-audit-bench}/data
PORT=18094
rm -rf "$DATA"
FUYI_DATA_DIR=$DATA FUYI_BIND=127.0.0.1:$PORT FUYI_ADMIN_PASSWORD=admin-password-123 \
  FUYI_JWT_SECRET=0123456789abcdefghijklmnopqrstuvwxyzABCD RUST_LOG=warn "$BIN" > ${WORK:-/tmp/fuyi-audit-bench}/service.log 2>&1 &
echo $! > ${WORK:-/tmp/fuyi-audit-bench}/pid
for i in $(seq 1 50); do curl -sf localhost:$PORT/health/ready >/dev/null && break; sleep 0.3; done
U=http://127.0.0.1:$PORT/api/v1
tok() { curl -sf -X POST $U/auth/token -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import sys,json;print(json.load(sys.stdin)["access_token"])'; }
ADMIN=$(tok admin admin-password-123)
curl -sf -X POST $U/users -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d '{"username":"officer","display_name":"officer","password":"officer-password","roles":["officer"]}' >/dev/null
RESP=$(curl -sf -X POST $U/respondents -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d '{"name":"福州市公安局","domain":"public_security"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
OFFICER=$(tok officer officer-password)
CASE=$(curl -sf -X POST $U/cases -H "authorization: Bearer $OFFICER" -H 'content-type: application/json' -d "{
 \"respondent_id\":\"$RESP\",\"received_on\":\"2024-03-01\",\"channel\":\"online\",\"act_type\":\"administrative_penalty\",
 \"act_document_number\":\"榕公罚〔2024〕12号\",\"act_date\":\"2024-01-10\",\"learned_on\":\"2024-01-12\",\"amount_fen\":200000,
 \"request\":\"撤销\",\"reasons\":\"不清\",\"parties\":[{\"role\":\"applicant\",\"kind\":\"natural_person\",\"name\":\"张三\",
 \"id_number\":\"350102199001011234\",\"phone\":\"13812345678\",\"address\":\"福建省福州市鼓楼区五四路100号\"}]}" \
 | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
for who in officer admin; do
  if [ $who = officer ]; then T=$OFFICER; else T=$ADMIN; fi
  echo "== GET /cases/{id} as $who"
  wrk -t2 -c16 -d10s -H "Authorization: Bearer $T" "$U/cases/$CASE" | grep -E "Requests/sec|Latency|Non-2xx"
done
P=$(ls -a $DATA/run | grep -o "PGSQL.[0-9]*" | head -1 | cut -d. -f2)
echo "audit rows: $(psql -h $DATA/run -p $P -U postgres -d fuyi -Atc 'select count(*) from personal_data_audit')"
kill "$(cat ${WORK:-/tmp/fuyi-audit-bench}/pid)"
