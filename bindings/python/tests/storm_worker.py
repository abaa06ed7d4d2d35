"""A process of the multiprocessing storm test (imported by spawned processes)."""

from __future__ import annotations

import threading
from typing import Any

import authtoken


def run(config: dict[str, Any], start: Any, results: Any, threads: int) -> None:
    """Waits for every process, then sends `threads` signed requests at once from threads;
    puts the Authorization headers the server saw (or an error) on `results`."""
    client = authtoken.Client(**config)
    seen: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    go = threading.Barrier(threads)

    def one() -> None:
        go.wait()
        try:
            header = client.get("/api/echo/").json()["headers"]["authorization"]
        except Exception as e:
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
        else:
            with lock:
                seen.append(header)

    workers = [threading.Thread(target=one) for _ in range(threads)]
    start.wait(60)
    for w in workers:
        w.start()
    for w in workers:
        w.join(90)
    results.put({"headers": seen, "errors": errors})
