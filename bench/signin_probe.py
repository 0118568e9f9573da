#!/usr/bin/env python3
"""One probe for bench/signin_flood.sh: times GET /health/ready, then a real user's sign-in from
127.0.0.2 (a second loopback address, so the flood's per-address limits do not apply to it).
A 503 or 429 is retried after its Retry-After, as a client should, until 15 s have passed.
Prints one JSON line."""

import http.client
import json
import sys
import time

port, username, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
SOURCE = ("127.0.0.2", 0)


def request(method, path, body=None, source=None):
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=source)
    headers = {"Content-Type": "application/json"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.monotonic() - started
    conn.close()
    return response.status, elapsed, response.getheader("Retry-After")


ready_status, ready_s, _ = request("GET", "/health/ready")
body = json.dumps({"username": username, "password": password})
started = time.monotonic()
attempts = []
while True:
    status, elapsed, retry_after = request("POST", "/api/v1/auth/token", body, SOURCE)
    attempts.append({"status": status, "s": round(elapsed, 3), "retry_after": retry_after})
    total = time.monotonic() - started
    if status not in (429, 503) or total > 15:
        break
    time.sleep(min(float(retry_after or 1), 5))
print(json.dumps({
    "ready_status": ready_status,
    "ready_s": round(ready_s, 3),
    "first_status": attempts[0]["status"],
    "first_s": attempts[0]["s"],
    "final_status": attempts[-1]["status"],
    "total_s": round(time.monotonic() - started, 3),
    "attempts": attempts,
}))
