#!/usr/bin/env python3
"""Timing driver of bench/run.sh (plain Python 3, no dependencies).

    measure.py phase --label 1M --cases N --base-url URL --pid PID --db URL --organs '{..}'
                     --results results.json [--runs 30 --warmup 5]
    measure.py report --results results.json --out bench/REPORT.md --meta meta.json

`phase` signs in, then for each scenario times the monthly endpoint (one keep-alive HTTP
connection, sequential requests) and the plain SQL of bench/plain.sql (one psql session, client
side `\\timing`), the same number of times after the same warm-up, records the service's resident
memory before and after, checks that both give the same counts, and appends everything to
--results. `report` writes the Markdown report from the accumulated results.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

SCENARIOS = [
    # (name, from month, to month, filter query, filter SQL)
    ("one year (2025)", "2025-01", "2025-12", "", ""),
    ("one year (2025), domain=public_security", "2025-01", "2025-12",
     "&domain=public_security", "AND c.domain = 'public_security'"),
    ("ten years (2016-2025)", "2016-01", "2025-12", "", ""),
    ("ten years (2016-2025), domain=public_security", "2016-01", "2025-12",
     "&domain=public_security", "AND c.domain = 'public_security'"),
]


def rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values, q):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def last_day(month):
    year, mon = map(int, month.split("-"))
    nxt = (year + (mon == 12), mon % 12 + 1)
    import datetime as dt
    return (dt.date(nxt[0], nxt[1], 1) - dt.timedelta(days=1)).isoformat()


class Service:
    def __init__(self, base_url, username, password):
        url = urllib.parse.urlparse(base_url)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        body = json.dumps({"username": username, "password": password})
        status, answer = self.request("POST", "/api/v1/auth/token", body,
                                      {"Content-Type": "application/json"})
        if status != 200:
            raise RuntimeError(f"sign-in failed: {status} {answer[:200]}")
        self.token = json.loads(answer)["access_token"]
        self.signed_in_at = time.monotonic()
        self.credentials = (username, password)

    def request(self, method, path, body=None, headers=None):
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The service closes a keep-alive connection idle for a few seconds (while the
            # plain SQL runs); open a new one.
            self.conn.close()
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
        return response.status, response.read()

    def monthly(self, query):
        # Access tokens live 15 minutes; sign in again well before.
        if time.monotonic() - self.signed_in_at > 600:
            self.__init__(f"http://{self.conn.host}:{self.conn.port}", *self.credentials)
        started = time.perf_counter()
        status, body = self.request("GET", f"/api/v1/statistics/monthly?{query}",
                                    headers={"Authorization": f"Bearer {self.token}"})
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"{query}: {status} {body[:300]}")
        return elapsed, body


def time_plain_sql(db, organs, first, last, filter_sql, runs, warmup, plain_sql):
    """Client-side times (ms) of `runs` executions after `warmup`, and the last result as CSV."""
    script = ["\\set organs '" + organs + "'", f"\\set from '{first}'", f"\\set to '{last}'",
              "\\set filter '" + filter_sql.replace("'", "''") + "'", "\\o /dev/null",
              "\\timing on"]
    script += [f"\\i {plain_sql}"] * (warmup + runs)
    script += ["\\timing off", "\\o", "\\pset format csv", f"\\i {plain_sql}"]
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", db],
                         input="\n".join(script) + "\n", capture_output=True, text=True,
                         check=True).stdout
    times = [float(t) for t in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]
    if len(times) != warmup + runs:
        raise RuntimeError(f"expected {warmup + runs} timings, got {len(times)}:\n{out[-2000:]}")
    csv_text = "\n".join(line for line in out.splitlines() if not line.startswith("Time:"))
    return times[warmup:], csv_text


def same_counts(service_body, plain_csv):
    """Compares the monthly counts of both answers; returns a list of differences."""
    import csv
    import io
    service = {row["month"]: row for row in json.loads(service_body)["rows"]}
    diffs = []
    for row in csv.DictReader(io.StringIO(plain_csv)):
        got = service.get(row["month"])
        if got is None:
            diffs.append(f"{row['month']}: missing in the service's answer")
            continue
        c = got["counts"]
        pairs = [("received", c["received"]), ("accepted", c["accepted"]),
                 ("not_accepted", c["not_accepted"]), ("concluded", c.get("concluded")),
                 ("revoked", c.get("revoked")), ("withdrawn", c.get("withdrawn")),
                 ("on_time", c.get("concluded_on_time")),
                 ("open_at_end", got["open_at_end"]["open"]),
                 ("overdue_at_end", got["open_at_end"]["overdue"])]
        for name, value in pairs:
            plain = int(float(row[name] or 0))
            if plain != (value or 0):
                diffs.append(f"{row['month']} {name}: service {value}, plain SQL {plain}")
    return diffs


def phase(args):
    with open(args.password_file, encoding="utf-8") as f:
        password = f.read().strip()
    service = Service(args.base_url, args.username, password)
    result = {"label": args.label, "cases": args.cases, "rss_start_kib": rss_kib(args.pid),
              "scenarios": []}
    for name, first, last, query_filter, sql_filter in SCENARIOS:
        query = f"from={first}&to={last}{query_filter}"
        for _ in range(args.warmup):
            service.monthly(query)
        times = []
        body = b""
        for _ in range(args.runs):
            elapsed, body = service.monthly(query)
            times.append(elapsed * 1000)
        sql_times, csv_text = time_plain_sql(args.db, args.organs, f"{first}-01", last_day(last),
                                             sql_filter, args.runs, args.warmup, args.plain_sql)
        diffs = same_counts(body, csv_text)
        scenario = {"name": name, "query": query, "service_ms": times, "sql_ms": sql_times,
                    "count_differences": diffs[:20], "response_bytes": len(body)}
        result["scenarios"].append(scenario)
        print(f"  {args.label} {name}: service median {statistics.median(times):.1f} ms, "
              f"plain SQL median {statistics.median(sql_times):.1f} ms"
              + (f", {len(diffs)} count differences" if diffs else ", counts agree"),
              flush=True)
    result["rss_end_kib"] = rss_kib(args.pid)
    results = []
    if os.path.exists(args.results):
        with open(args.results, encoding="utf-8") as f:
            results = json.load(f)
    results.append(result)
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)


def report(args):
    with open(args.results, encoding="utf-8") as f:
        results = json.load(f)
    with open(args.meta, encoding="utf-8") as f:
        meta = json.load(f)
    out = ["# Benchmark: import and monthly statistics at a million cases", "",
           "Written by `bench/run.sh`; numbers of its last run. Re-run to refresh.", "",
           f"- Date: {meta['date']}",
           f"- Command: `{meta['command']}`",
           f"- Machine: {meta['machine']}",
           f"- PostgreSQL: {meta['postgres']} (a private cluster with default settings, as"
           " `fuyi` starts its own)",
           f"- Commit: {meta['commit']}"
           + (" (with uncommitted changes in the working tree)"
              if meta["commit"].endswith("-dirty") else "")
           + " when the run started",
           f"- Load on the machine while it ran (1/5/15-min load average at the end):"
           f" {meta.get('loadavg', '?')}; other work on the machine slows both sides alike", "",
           "## Import", "",
           "| file | cases | time | cases/s |", "|---|---:|---:|---:|"]
    for imp in meta["imports"]:
        out.append(f"| {imp['file']} | {imp['cases']:,} | {imp['seconds']:.1f} s "
                   f"| {imp['rate']:,.0f} |")
    out += ["", "Target: at least 20,000 cases/s.", "",
            "## Monthly endpoint against the plain SQL", "",
            "`GET /api/v1/statistics/monthly` as a statistician of the city (its three districts"
            " included), one keep-alive connection, requests one after another; the plain SQL is"
            " `bench/plain.sql` (the same figures in one statement, from the same indexes) in one"
            " psql session. Both after the same warm-up, the same number of runs; times are"
            " client-side wall times.", "",
            "| cases | scenario | service median ms | service p95 ms | plain SQL median ms |"
            " plain SQL p95 ms | ratio (median) | counts agree |",
            "|---:|---|---:|---:|---:|---:|---:|---|"]
    for res in results:
        for s in res["scenarios"]:
            svc, sql = s["service_ms"], s["sql_ms"]
            ratio = statistics.median(svc) / max(statistics.median(sql), 1e-9)
            agree = "yes" if not s["count_differences"] else \
                f"no ({len(s['count_differences'])} differences)"
            out.append(f"| {res['cases']:,} | {s['name']} | {statistics.median(svc):.1f} "
                       f"| {percentile(svc, 0.95):.1f} | {statistics.median(sql):.1f} "
                       f"| {percentile(sql, 0.95):.1f} | {ratio:.2f} | {agree} |")
    out += ["", "Targets for the one-year request at a million cases: under 50 ms median, within"
            " 1.5× of the plain SQL.", "",
            "## Service memory (VmRSS)", "",
            "| cases | after start | after all requests |", "|---:|---:|---:|"]
    for res in results:
        out.append(f"| {res['cases']:,} | {res['rss_start_kib'] / 1024:.1f} MiB "
                   f"| {res['rss_end_kib'] / 1024:.1f} MiB |")
    out += ["", "Target: the service's memory does not grow with the number of cases.", ""]
    for res in results:
        for s in res["scenarios"]:
            if s["count_differences"]:
                out.append(f"Count differences, {res['cases']:,} cases, {s['name']}: "
                           + "; ".join(s["count_differences"][:5]))
    notes = meta.get("notes_file")
    if notes and os.path.exists(notes):
        with open(notes, encoding="utf-8") as f:
            out += ["", f.read().rstrip()]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    ph = sub.add_parser("phase")
    ph.add_argument("--label", required=True)
    ph.add_argument("--cases", type=int, required=True)
    ph.add_argument("--base-url", required=True)
    ph.add_argument("--username", required=True)
    ph.add_argument("--password-file", required=True)
    ph.add_argument("--pid", type=int, required=True)
    ph.add_argument("--db", required=True)
    ph.add_argument("--organs", required=True)
    ph.add_argument("--plain-sql", required=True)
    ph.add_argument("--results", required=True)
    ph.add_argument("--runs", type=int, default=30)
    ph.add_argument("--warmup", type=int, default=5)
    rp = sub.add_parser("report")
    rp.add_argument("--results", required=True)
    rp.add_argument("--meta", required=True)
    rp.add_argument("--out", required=True)
    args = p.parse_args()
    {"phase": phase, "report": report}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
