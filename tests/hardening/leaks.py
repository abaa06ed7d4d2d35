"""The leak check's Python program, run by scripts/leak-check.sh: resident memory (VmRSS)
after a warm-up, after 100,000 warm authorization_header() calls, and after 10,000 signed GETs
(each response read and dropped) against the emulator at $AUTHTOKEN_EMULATOR. Prints one
RESULT line for the driver, which holds the growth to its bounds.
"""

from __future__ import annotations

import gc
import os
import time

import authtoken

HEADERS = 100_000
REQUESTS = 10_000


def rss_kib() -> int:
    gc.collect()
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main() -> None:
    root = os.environ["AUTHTOKEN_EMULATOR"]
    client = authtoken.Client(
        "tpstreams",
        username="leak-python",
        password="demo-password",
        organization_id="leak-python",
        base_url=f"{root}/tpstreams",
    )

    def headers(n: int) -> None:
        for _ in range(n):
            assert client.authorization_header().startswith("Token ")

    def requests(n: int) -> None:
        for _ in range(n):
            r = client.get("/api/echo/")
            assert r.status_code == 200 and r.content

    headers(10_000)
    requests(1_000)
    warm = rss_kib()
    t = time.monotonic()
    headers(HEADERS)
    after_headers = rss_kib()
    header_s = time.monotonic() - t
    t = time.monotonic()
    requests(REQUESTS)
    after_requests = rss_kib()
    request_s = time.monotonic() - t
    client.close()
    print(f"RESULT python {warm} {after_headers} {after_requests} {header_s:.2f} {request_s:.2f}")


if __name__ == "__main__":
    main()
