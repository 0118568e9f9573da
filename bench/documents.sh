#!/usr/bin/env bash
# Issues 15's and 17's checks outside `cargo test`:
#  1. LibreOffice (Debian `libreoffice-writer-nogui`) converts a generated decision to PDF without
#     error (and, with poppler-utils, the PDF's text holds the decision's number);
#  1b. LibreOffice converts the statistics report draft (`/statistics/report`) to PDF too;
#  2. uploading and downloading a 50 MiB attachment keeps the service's VmRSS less than 64 MiB
#     above its idle level (sampled every 50 ms from /proc/PID/status);
#  3. on the demo year 2023 (`fuyi demo`, in a second data directory), LibreOffice converts the
#     report draft with its two embedded charts to PDF, whose text holds the seed report's
#     figures and which (with poppler-utils' pdfimages) holds the two pictures; page 3 is rendered
#     to $WORK/report-2023-3.png (pdftoppm) for a look.
# Runs the service with its private PostgreSQL. Usage:
#   cargo build --release && bench/documents.sh        (FUYI_BIN=… to use another binary)
# Needs curl, python3, soffice (apt-get install libreoffice-writer-nogui; fonts-noto-cjk for
# Chinese glyphs in the PDF). Exits non-zero when a check fails.
set -euo pipefail
DEMO_PORT=${DEMO_PORT:-18096}
WORK=${WORK:-/tmp/fuyi-documents-bench}
BIN=${FUYI_BIN:-${CARGO_TARGET_DIR:-target}/release/fuyi}
PORT=${PORT:-18095}
SIZE_MIB=${SIZE_MIB:-50}
LIMIT_MIB=64
rm -rf "$WORK" && mkdir -p "$WORK"
FUYI_DATA_DIR=$WORK/data FUYI_BIND=127.0.0.1:$PORT FUYI_ADMIN_PASSWORD=admin-password-123 \
  FUYI_JWT_SECRET=0123456789abcdefghijklmnopqrstuvwxyzABCD RUST_LOG=warn "$BIN" > "$WORK/service.log" 2>&1 &
SERVICE=$!
DEMO_SERVICE=
trap 'kill $SERVICE $DEMO_SERVICE 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "localhost:$PORT/health/ready" >/dev/null && break; sleep 0.3; done
U=http://127.0.0.1:$PORT/api/v1
field() { python3 -c "import sys,json;print(json.load(sys.stdin)$1)"; }
tok() { curl -sf -X POST $U/auth/token -H 'content-type: application/json' \
  -d "{\"username\":\"$1\",\"password\":\"$2\"}" | field '["access_token"]'; }
ADMIN=$(tok admin admin-password-123)
curl -sf -X POST $U/users -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d '{"username":"head","display_name":"head","password":"head-password-1","roles":["officer","head"]}' >/dev/null
RESP=$(curl -sf -X POST $U/respondents -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d '{"name":"福州市公安局","domain":"public_security"}' | field '["id"]')
HEAD=$(tok head head-password-1)
H=(-H "authorization: Bearer $HEAD" -H 'content-type: application/json')
CASE=$(curl -sf -X POST $U/cases "${H[@]}" -d "{
 \"respondent_id\":\"$RESP\",\"received_on\":\"2024-03-01\",\"channel\":\"online\",\"act_type\":\"administrative_penalty\",
 \"act_document_number\":\"榕公罚〔2024〕12号\",\"act_date\":\"2024-01-10\",\"learned_on\":\"2024-01-12\",\"amount_fen\":200000,
 \"request\":\"撤销榕公罚〔2024〕12号行政处罚决定\",\"reasons\":\"认定事实不清，证据不足\",\"parties\":[{\"role\":\"applicant\",
 \"kind\":\"natural_person\",\"name\":\"张三\"}]}" | field '["id"]')
act() {
  local version
  version=$(curl -sf "$U/cases/$CASE" -H "authorization: Bearer $HEAD" | field '["version"]')
  curl -sS --fail-with-body -X POST "$U/cases/$CASE/transitions" "${H[@]}" -H "If-Match: \"$version\"" -d "$1" -o "$WORK/act.json" || { cat "$WORK/act.json"; echo; exit 1; }
}
act '{"action":"accept","procedure":"ordinary","occurred_on":"2024-03-05"}'
act '{"action":"record_reply","occurred_on":"2024-03-15","copy_sent_on":"2024-03-07","reply_received_on":"2024-03-15"}'
act '{"action":"hear","occurred_on":"2024-03-25","method":"in_person"}'
act '{"action":"decide","occurred_on":"2024-04-10","disposition":"revoke","remake_ordered":true,"comply_within_days":30,"document_number":"榕政复决〔2024〕7号","reasoning":"被申请人认定事实不清，证据不足","legal_basis":"《中华人民共和国行政复议法》第六十四条","approval":{"route":"organ_head","approver":"王局长"}}'
DOC=$(curl -sf -X POST "$U/cases/$CASE/documents" "${H[@]}" -d '{"kind":"decision"}' | field '["id"]')
curl -sf "$U/cases/$CASE/documents/$DOC" -H "authorization: Bearer $HEAD" -o "$WORK/decision.docx"

echo "== 1. LibreOffice converts the generated decision to PDF"
soffice --headless -env:UserInstallation=file://$WORK/lo-profile --convert-to pdf --outdir "$WORK" "$WORK/decision.docx"
test -s "$WORK/decision.pdf" || { echo "FAIL: no PDF"; exit 1; }
if command -v pdftotext >/dev/null; then
  pdftotext "$WORK/decision.pdf" - | tr -d " " | grep -q "榕政复决〔2024〕7号" \
    && echo "ok: decision.pdf holds 榕政复决〔2024〕7号" || { echo "FAIL: number not in the PDF"; exit 1; }
else
  echo "ok: decision.pdf written ($(stat -c %s "$WORK/decision.pdf") bytes)"
fi

echo "== 1b. LibreOffice converts the statistics report draft to PDF"
curl -sf "$U/statistics/report?year=2024" -H "authorization: Bearer $HEAD" -o "$WORK/report.docx"
soffice --headless -env:UserInstallation=file://$WORK/lo-profile --convert-to pdf --outdir "$WORK" "$WORK/report.docx"
test -s "$WORK/report.pdf" || { echo "FAIL: no report PDF"; exit 1; }
if command -v pdftotext >/dev/null; then
  pdftotext "$WORK/report.pdf" - | tr -d " \n" | grep -q "全年共审结1件，其中撤销1件" \
    && echo "ok: report.pdf holds 全年共审结1件，其中撤销1件" || { echo "FAIL: figures not in the report PDF"; exit 1; }
else
  echo "ok: report.pdf written ($(stat -c %s "$WORK/report.pdf") bytes)"
fi

echo "== 2. VmRSS while a ${SIZE_MIB} MiB attachment goes up and down"
rss() { awk '/^VmRSS/ {print $2}' /proc/$SERVICE/status; }
{ printf '%%PDF-1.7\n'; head -c $((SIZE_MIB * 1024 * 1024 - 9)) /dev/urandom; } > "$WORK/upload.pdf"
WANT=$(sha256sum "$WORK/upload.pdf" | cut -d' ' -f1)
# Warm up (pool connections, code paths) with a small file, then take the idle level.
head -c 300000 "$WORK/upload.pdf" > "$WORK/small.pdf"
curl -sf -X POST "$U/cases/$CASE/attachments?file_name=small.pdf&kind=evidence&source=applicant" \
  -H "authorization: Bearer $HEAD" --data-binary @"$WORK/small.pdf" >/dev/null
sleep 1
IDLE=$(rss)
sample() { local peak=0 v; while kill -0 "$1" 2>/dev/null; do v=$(rss); ((v > peak)) && peak=$v; sleep 0.05; done; echo $peak; }
curl -sf -X POST "$U/cases/$CASE/attachments?file_name=upload.pdf&kind=evidence&source=applicant" \
  -H "authorization: Bearer $HEAD" -H 'content-type: application/pdf' -T "$WORK/upload.pdf" -o "$WORK/uploaded.json" &
UP_PEAK=$(sample $!)
ATT=$(field '["id"]' < "$WORK/uploaded.json")
GOT=$(field '["sha256"]' < "$WORK/uploaded.json")
curl -sf "$U/cases/$CASE/attachments/$ATT" -H "authorization: Bearer $HEAD" --limit-rate 20M -o "$WORK/downloaded.pdf" &
DOWN_PEAK=$(sample $!)
BACK=$(sha256sum "$WORK/downloaded.pdf" | cut -d' ' -f1)
echo "idle VmRSS ${IDLE} kB; peak during upload ${UP_PEAK} kB (+$(( (UP_PEAK - IDLE) / 1024 )) MiB); during download ${DOWN_PEAK} kB (+$(( (DOWN_PEAK - IDLE) / 1024 )) MiB)"
[ "$GOT" = "$WANT" ] && [ "$BACK" = "$WANT" ] || { echo "FAIL: hashes differ ($WANT / $GOT / $BACK)"; exit 1; }
echo "ok: SHA-256 $WANT stored and read back"
for peak in $UP_PEAK $DOWN_PEAK; do
  (( peak - IDLE < LIMIT_MIB * 1024 )) || { echo "FAIL: VmRSS rose ${LIMIT_MIB} MiB or more above idle"; exit 1; }
done
echo "ok: VmRSS stayed under ${LIMIT_MIB} MiB above idle"

echo "== 3. LibreOffice converts the demo year's report draft, charts included, to PDF"
JWT=0123456789abcdefghijklmnopqrstuvwxyzABCD
FUYI_DATA_DIR=$WORK/demo-data FUYI_JWT_SECRET=$JWT RUST_LOG=warn \
  "$BIN" demo --year 2023 --password demo-password-1 > "$WORK/demo.log" 2>&1 \
  || { cat "$WORK/demo.log"; echo "FAIL: the demo year was not generated"; exit 1; }
FUYI_DATA_DIR=$WORK/demo-data FUYI_BIND=127.0.0.1:$DEMO_PORT FUYI_JWT_SECRET=$JWT RUST_LOG=warn \
  "$BIN" > "$WORK/demo-service.log" 2>&1 &
DEMO_SERVICE=$!
for _ in $(seq 1 100); do curl -sf "localhost:$DEMO_PORT/health/ready" >/dev/null && break; sleep 0.3; done
D=http://127.0.0.1:$DEMO_PORT/api/v1
STAT=$(curl -sf -X POST $D/auth/token -H 'content-type: application/json' \
  -d '{"username":"statistician","password":"demo-password-1"}' | field '["access_token"]')
curl -sf "$D/statistics/report?year=2023" -H "authorization: Bearer $STAT" -o "$WORK/report-2023.docx"
PICTURES=$(python3 -c "import sys,zipfile;print(sum(n.startswith('word/media/') and not n.endswith('/') for n in zipfile.ZipFile(sys.argv[1]).namelist()))" "$WORK/report-2023.docx")
[ "$PICTURES" = 2 ] || { echo "FAIL: the draft holds $PICTURES pictures, not 2 (is a CJK font installed?)"; exit 1; }
echo "ok: report-2023.docx holds 2 charts"
soffice --headless -env:UserInstallation=file://$WORK/lo-profile --convert-to pdf --outdir "$WORK" "$WORK/report-2023.docx"
test -s "$WORK/report-2023.pdf" || { echo "FAIL: no PDF of the 2023 draft"; exit 1; }
if command -v pdftotext >/dev/null; then
  TEXT=$(pdftotext "$WORK/report-2023.pdf" - | tr -d " \n")
  for sentence in 全年共审结1765件，其中撤销158件，确认违法56件，责令履行34件，纠错率达17.12% \
      意见书、建议书26份 负责人出庭率98.39% 行政诉讼败诉率13.82%; do
    grep -q "$sentence" <<< "$TEXT" || { echo "FAIL: “$sentence” not in report-2023.pdf"; exit 1; }
  done
  echo "ok: report-2023.pdf holds the seed report's figures (1765, 158/56/34, 17.12%, 26, 98.39%, 13.82%)"
  IMAGES=$(pdfimages -list "$WORK/report-2023.pdf" | awk 'NR > 2 && $3 == "image"' | wc -l)
  (( IMAGES >= 2 )) || { echo "FAIL: report-2023.pdf holds $IMAGES images"; exit 1; }
  echo "ok: report-2023.pdf holds $IMAGES images"
  PAGES=$(pdfinfo "$WORK/report-2023.pdf" | awk '/^Pages:/ {print $2}')
  pdftoppm -png -r 60 -f 3 -l 3 -singlefile "$WORK/report-2023.pdf" "$WORK/report-2023-3"
  echo "ok: $PAGES pages; page 3 rendered to $WORK/report-2023-3.png"
else
  echo "ok: report-2023.pdf written ($(stat -c %s "$WORK/report-2023.pdf") bytes)"
fi
