"""Figures for the Python binding, printed as a table of ratios.

1. A warm ``authorization_header()`` per call (the token is in memory; no network).
2. Signed GETs per second on one keep-alive connection to the local emulator, one thread:
   ``authtoken.Client.get`` next to ``requests.Session`` and ``httpx.Client`` sending the same
   header themselves, and next to both libraries signing through the authtoken adapters.
3. ``import`` time of authtoken, requests and httpx (fresh interpreters).

Needs the emulator: ``AUTHTOKEN_EMULATOR=http://127.0.0.1:PORT`` (``make bench-python`` starts
one). Figures depend on the machine and its load; compare ratios, not absolute numbers.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
import uuid
from importlib.metadata import version
from typing import Callable

import authtoken
import httpx
import requests

REPEATS = 5


def best_rate(operation: Callable[[], object], count: int) -> float:
    """Operations per second: the median of REPEATS timed runs of `count` operations."""
    for _ in range(max(count // 10, 1)):
        operation()
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(count):
            operation()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def import_seconds(module: str, runs: int = 15) -> float:
    """Median time of `python -c "import module"` minus an empty interpreter's start."""

    def run(code: str) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    return max(run(f"import {module}") - run("pass"), 0.0)


def table(title: str, unit: str, rows: list[tuple[str, float]], higher_is_better: bool) -> None:
    reference = rows[0][1]
    print(f"\n{title}")
    print(f"  {'':<52} {unit:>14} {'ratio':>8}")
    for name, value in rows:
        ratio = value / reference if reference else float("nan")
        print(f"  {name:<52} {value:>14,.1f} {ratio:>7.2f}x")
    better = "higher" if higher_is_better else "lower"
    print(f"  (ratio: relative to the first row; {better} is better)")


def main() -> None:
    root = os.environ.get("AUTHTOKEN_EMULATOR")
    if not root:
        sys.exit("set AUTHTOKEN_EMULATOR (or run `make bench-python`)")
    base = f"{root}/tpstreams"
    client = authtoken.Client(
        provider="tpstreams",
        base_url=base,
        username=f"bench-{uuid.uuid4().hex[:8]}@example.com",
        password="demo-password",
        organization_id=f"bench-{uuid.uuid4().hex[:8]}",
        cache="memory",
    )
    header = client.authorization_header()
    url = f"{base}/api/echo/"
    print(f"authtoken {authtoken.__version__}, Python {sys.version.split()[0]}, {sys.platform}")
    print(f"requests {version('requests')}, httpx {version('httpx')}; server: {root}")

    # 1. The warm header.
    n = 200_000
    cached = {"Authorization": header}
    header_rows = [
        ("client.authorization_header() (warm)", 1e9 / best_rate(client.authorization_header, n)),
        ("client.token (warm)", 1e9 / best_rate(lambda: client.token, n)),
        (
            "dict lookup of a header string (floor)",
            1e9 / best_rate(lambda: cached["Authorization"], n),
        ),
    ]
    table("Warm header, per call", "ns/call", header_rows, higher_is_better=False)

    # 2. Signed GETs on one keep-alive connection.
    n = 1_000
    signed = {"Authorization": header}
    with contextlib.ExitStack() as stack:
        plain = stack.enter_context(requests.Session())
        adapted = stack.enter_context(requests.Session())
        adapted.auth = client
        hx = stack.enter_context(httpx.Client())
        hx_adapted = stack.enter_context(httpx.Client(auth=authtoken.HttpxAuth(client)))
        get_rows = [
            (
                "requests.Session, header set by hand",
                best_rate(lambda: plain.get(url, headers=signed), n),
            ),
            ("authtoken client.get()", best_rate(lambda: client.get(url), n)),
            ("httpx.Client, header set by hand", best_rate(lambda: hx.get(url, headers=signed), n)),
            ("requests.Session(auth=client)", best_rate(lambda: adapted.get(url), n)),
            (
                "httpx.Client(auth=authtoken.HttpxAuth(client))",
                best_rate(lambda: hx_adapted.get(url), n),
            ),
        ]
    table("Signed GETs, one thread, one keep-alive connection", "requests/s", get_rows, True)

    # 3. Import time.
    import_rows = [
        ("import requests", import_seconds("requests") * 1e3),
        ("import authtoken", import_seconds("authtoken") * 1e3),
        ("import httpx", import_seconds("httpx") * 1e3),
    ]
    table("Import time, fresh interpreter", "ms", import_rows, higher_is_better=False)
    client.close()


if __name__ == "__main__":
    main()
