"""The Python rows of ``make bench-http`` (scripts/bench-http.sh).

Signed keep-alive GETs of a small JSON answered by a local nginx, on one connection, the
body read. Prints figures; asserts nothing about time.

Rows: ``http.client.HTTPConnection`` and ``httpx.Client``, each on one keep-alive connection
with a fixed ``Authorization`` header (the native clients), then the binding's
``client.get()``. Each prints ``row<TAB>python<TAB>native|binding<TAB>label<TAB>req/s``.

Environment (the script sets it): ``BENCH_HTTP_BASE`` (the client's base_url, nginx's
``/tpstreams`` prefix, whose logins nginx passes on to the emulator), ``BENCH_HTTP_PATH``
(``/api/bench/``), ``BENCH_HTTP_S`` (seconds per row), ``BENCH_HTTP_ROUNDS`` (interleaved
rounds the seconds are split into, 3), ``BENCH_HTTP_PASSWORD``.
"""

from __future__ import annotations

import http.client
import os
import sys
import time
from typing import Callable
from urllib.parse import urlsplit

import authtoken
import httpx


def rate(operation: Callable[[], None], seconds: float) -> float:
    """Operations per second over about `seconds`, after a 0.2 s warm-up."""
    warm = time.perf_counter() + 0.2
    while time.perf_counter() < warm:
        operation()
    count = 0
    start = time.perf_counter()
    while True:
        for _ in range(64):
            operation()
        count += 64
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def row(role: str, label: str, value: float) -> None:
    print(f"row\tpython\t{role}\t{label}\t{value:.1f}", flush=True)


def main() -> None:
    base = os.environ.get("BENCH_HTTP_BASE", "").rstrip("/")
    password = os.environ.get("BENCH_HTTP_PASSWORD", "")
    if not base or not password:
        sys.exit("set BENCH_HTTP_BASE and BENCH_HTTP_PASSWORD (make bench-http runs this)")
    path = os.environ.get("BENCH_HTTP_PATH", "/api/bench/")
    seconds = float(os.environ.get("BENCH_HTTP_S", "3"))
    rounds = max(1, int(os.environ.get("BENCH_HTTP_ROUNDS", "3")))

    tag = f"bench-http-python-{os.getpid()}"
    client = authtoken.Client(
        provider="tpstreams",
        base_url=base,
        username=f"{tag}@example.com",
        password=password,
        organization_id=tag,
        cache="memory",
    )
    header = client.authorization_header()
    url = f"{base}{path}"
    parts = urlsplit(url)
    target = parts.path

    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    fixed = {"Authorization": header}

    def stdlib_get() -> None:
        connection.request("GET", target, headers=fixed)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or not body:
            raise RuntimeError(f"http.client: HTTP {response.status}")

    session = httpx.Client(headers=fixed)

    def httpx_get() -> None:
        response = session.get(url)
        if response.status_code != 200 or not response.content:
            raise RuntimeError(f"httpx: HTTP {response.status_code}")

    def authtoken_get() -> None:
        response = client.get(path)
        if response.status_code != 200 or not response.content:
            raise RuntimeError(f"authtoken: HTTP {response.status_code}")

    # The rows in turns: `rounds` rounds of `seconds / rounds` each, interleaved, each row's
    # best round kept (a burst of load from elsewhere on the machine then does not favour one).
    rows: list[tuple[str, str, Callable[[], None]]] = [
        ("native", "http.client.HTTPConnection, fixed header", stdlib_get),
        ("native", "httpx.Client, fixed header", httpx_get),
        ("binding", "authtoken client.get()", authtoken_get),
    ]
    best = [0.0] * len(rows)
    for _ in range(rounds):
        for i, (_, _, operation) in enumerate(rows):
            best[i] = max(best[i], rate(operation, seconds / rounds))
    for (role, label, _), value in zip(rows, best):
        row(role, label, value)
    connection.close()
    session.close()


if __name__ == "__main__":
    main()
