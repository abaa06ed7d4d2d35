"""Processes: a storm of processes and threads sharing the file cache makes one login."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import authtoken
import storm_worker
from conftest import Emulator, MakeClient, client_config

PROCESSES = 6
THREADS = 4


def test_a_storm_of_processes_shares_one_login_through_the_file_cache(
    emulator: Emulator, username: str, org: str, tmp_path: Path
) -> None:
    config = client_config(
        emulator, "tpstreams", username, org, cache="file", cache_dir=str(tmp_path / "cache")
    )
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=storm_worker.run, args=(config, start, results, THREADS))
        for _ in range(PROCESSES)
    ]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(timeout=30)
        assert p.exitcode == 0
    errors = [e for o in outcomes for e in o["errors"]]
    assert errors == []
    headers = [h for o in outcomes for h in o["headers"]]
    assert len(headers) == PROCESSES * THREADS
    assert len(set(headers)) == 1
    assert emulator.logins("tpstreams", username) == 1
    cache_files = list((tmp_path / "cache").rglob("*"))
    assert cache_files, "the token was not written to the file cache"


def _use_inherited_clients(client: authtoken.Client, idle: authtoken.Client, results: Any) -> None:
    header = client.get("/api/echo/").json()["headers"]["authorization"]
    # Closing an inherited client must not wait for the parent's HTTP threads, which do not
    # exist here (glibc may even have given their stacks to the threads started just above).
    idle.close()
    client.close()
    results.put(header)


def test_a_client_created_before_fork_works_in_the_child(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    idle = make_client()
    header = client.authorization_header()
    idle.get("/api/echo/")
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_use_inherited_clients, args=(client, idle, results))
    child.start()
    assert results.get(timeout=60) == header
    child.join(timeout=30)
    assert child.exitcode == 0
    assert emulator.logins("tpstreams", username) == 1
    assert client.get("/api/echo/").status_code == 200
