"""The Redis token store from Python: machines (processes with their own file cache
directories) share one token through Redis, see each other's logout, and an unreachable Redis
is a StoreError rather than a login of their own.

Needs a Redis server in AUTHTOKEN_REDIS_URL (`make test-redis`, or scripts/with-redis.sh).
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import uuid
from pathlib import Path
from typing import Any

import authtoken
import pytest
from conftest import Emulator, client_config

REDIS_URL = os.environ.get("AUTHTOKEN_REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not REDIS_URL,
    reason="AUTHTOKEN_REDIS_URL is not set: run `make test-redis` "
    "(or scripts/with-redis.sh) to test the Redis store",
)

MACHINES = 4
THREADS = 8


def redis_config(emulator: Emulator, username: str, org: str, **overrides: Any) -> dict[str, Any]:
    """A config that shares tokens through Redis, under a key prefix of this test's own."""
    return client_config(
        emulator,
        "tpstreams",
        username,
        org,
        cache=REDIS_URL,
        redis_key_prefix=f"authtoken-py-test:{uuid.uuid4().hex}:",
        **overrides,
    )


def machine(config: dict[str, Any], start: Any, results: Any, threads: int) -> None:
    """One machine: a process whose threads ask for the header at once, after every machine
    is ready; puts the headers (or errors) on `results`."""
    client = authtoken.Client(**config)
    headers: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    go = threading.Barrier(threads)

    def one() -> None:
        go.wait()
        try:
            header = client.authorization_header()
        except authtoken.AuthTokenError as e:
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
        else:
            with lock:
                headers.append(header)

    workers = [threading.Thread(target=one) for _ in range(threads)]
    start.wait(60)
    for w in workers:
        w.start()
    for w in workers:
        w.join(90)
    results.put({"headers": headers, "errors": errors})


def run_machines(configs: list[dict[str, Any]], threads: int) -> list[str]:
    """Runs one process per config at once: every header they got."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(configs))
    results = context.Queue()
    processes = [
        context.Process(target=machine, args=(config, start, results, threads))
        for config in configs
    ]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert [e for o in outcomes for e in o["errors"]] == []
    return [h for o in outcomes for h in o["headers"]]


def test_four_machines_starting_cold_make_one_login(
    emulator: Emulator, username: str, org: str, tmp_path: Path
) -> None:
    # A slow login keeps it in flight while every machine arrives.
    emulator.fault(service="tpstreams", path="login", kind="delay", delay_ms=300)
    config = redis_config(emulator, username, org, redis_fallback=True)
    configs = [
        dict(config, cache_dir=str(tmp_path / f"machine-{i}" / "cache")) for i in range(MACHINES)
    ]
    headers = run_machines(configs, THREADS)
    assert len(headers) == MACHINES * THREADS
    assert len(set(headers)) == 1, "every thread of every machine shares one token"
    assert emulator.logins("tpstreams", username) == 1
    # Each machine also keeps the token in its own file store, for when Redis is down.
    for i in range(MACHINES):
        files = list((tmp_path / f"machine-{i}" / "cache").glob("*.json"))
        assert len(files) == 1, f"machine {i}: {files}"


def test_logout_is_seen_by_a_cold_machine(emulator: Emulator, username: str, org: str) -> None:
    config = redis_config(emulator, username, org)
    here = authtoken.Client(**config)
    header = here.authorization_header()
    assert run_machines([config], 2) == [header, header], "another machine shares it"
    assert emulator.logins("tpstreams", username) == 1

    here.logout()
    assert emulator.logouts("tpstreams", username) == 1
    # The next machine finds no token in Redis: it logs in rather than use the revoked one.
    after = run_machines([config], 2)
    assert after[0] == after[1] != header
    assert emulator.logins("tpstreams", username) == 2
    here.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_an_unreachable_redis_is_a_store_error_without_a_login(
    emulator: Emulator, username: str, org: str
) -> None:
    port = free_port()
    config = client_config(
        emulator, "tpstreams", username, org, cache=f"redis://:py-secret@127.0.0.1:{port}/0"
    )
    client = authtoken.Client(**config)
    assert client.store == f"redis:redis://127.0.0.1:{port}/0"
    with pytest.raises(authtoken.StoreError) as caught:
        client.authorization_header()
    err = caught.value
    assert err.code == 12 and err.kind == "store"
    assert f"redis://127.0.0.1:{port}/0" in str(err)
    assert "unreachable" in str(err) and "redis_fallback" in str(err)
    assert "py-secret" not in str(err)
    assert emulator.logins("tpstreams", username) == 0
    client.close()
