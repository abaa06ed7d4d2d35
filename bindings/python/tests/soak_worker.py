"""One long-running Python worker of `make soak` (scripts/soak.py); not a test module.

Reads the client configuration (JSON without the password, which comes from
AUTHTOKEN_PASSWORD) from SOAK_CONFIG, then sends signed GETs to /api/echo/ until the file
SOAK_STOP exists, SOAK_PAUSE_MS apart. Prints one JSON line per request, with wall-clock
milliseconds: {"t0": ..., "t1": ..., "ok": true}, or "ok": false with "kind" (the error's
kind, or http_<status> for an answer other than 200) and "msg"; then {"end": <requests>}.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import authtoken


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def main() -> int:
    client = authtoken.Client.from_config(os.environ["SOAK_CONFIG"])
    stop = os.environ["SOAK_STOP"]
    pause = int(os.environ.get("SOAK_PAUSE_MS", "20")) / 1000
    count = 0
    while not os.path.exists(stop):
        t0 = now_ms()
        record: dict[str, Any]
        try:
            response = client.get("/api/echo/")
        except authtoken.AuthTokenError as e:
            record = {"ok": False, "kind": e.kind, "msg": str(e)[:300]}
        else:
            if response.status_code == 200:
                record = {"ok": True}
            else:
                kind = f"http_{response.status_code}"
                record = {"ok": False, "kind": kind, "msg": response.text[:200]}
        record["t0"] = t0
        record["t1"] = now_ms()
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
        count += 1
        time.sleep(pause)
    sys.stdout.write(json.dumps({"end": count}) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
