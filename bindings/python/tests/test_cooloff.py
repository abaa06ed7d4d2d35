"""The login cool-off: a refused login is remembered for the identity, so that every thread and
process asks the server once, and a corrected password logs in at once."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import authtoken
import pytest
import storm_worker
from conftest import PASSWORD, Emulator, client_config

REFUSED = "Unable to log in with provided credentials."


def test_a_wrong_password_costs_one_attempt_from_every_thread_and_process(
    emulator: Emulator, username: str, org: str, tmp_path: Path
) -> None:
    wrong = client_config(
        emulator,
        "tpstreams",
        username,
        org,
        password="wrong-password-123",
        cache="file",
        cache_dir=str(tmp_path / "cache"),
    )
    context = multiprocessing.get_context("spawn")
    processes, threads = 4, 8
    start = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(target=storm_worker.run, args=(wrong, start, results, threads))
        for _ in range(processes)
    ]
    for p in workers:
        p.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for p in workers:
        p.join(timeout=30)
        assert p.exitcode == 0
    errors = [e for o in outcomes for e in o["errors"]]
    assert len(errors) == processes * threads
    assert all(e.startswith("InvalidCredentialsError: ") and REFUSED in e for e in errors)
    assert all("wrong-password-123" not in e for e in errors)
    assert emulator.attempts("tpstreams", username) == 1

    # A later call in this process: the same error at once, saying it is remembered.
    client = authtoken.Client(**wrong)
    with pytest.raises(authtoken.InvalidCredentialsError) as caught:
        client.authorization_header()
    e = caught.value
    assert (e.kind, e.status, e.server_message) == ("invalid_credentials", 400, REFUSED)
    assert "remembered" in str(e) and "login_cooloff_s" in str(e)
    # Whole seconds, the end rounded up: at most 1 s over login_cooloff_s.
    assert e.retry_after is not None and 0 < e.retry_after <= 61
    assert emulator.attempts("tpstreams", username) == 1

    # The password fixed in the configuration logs in on the next call: one more attempt.
    fixed = authtoken.Client(**{**wrong, "password": PASSWORD})
    assert fixed.authorization_header().startswith("Token ")
    assert emulator.attempts("tpstreams", username) == 2


def test_a_429_with_retry_after_is_honoured_by_every_caller(
    emulator: Emulator, username: str, org: str
) -> None:
    emulator.fault(
        service="tpstreams",
        path="login",
        kind="status",
        status=429,
        retry_after=3,
        count=1,
    )
    # login_cooloff_s 1: the longer Retry-After wins.
    client = authtoken.Client(
        **client_config(emulator, "tpstreams", username, org, login_cooloff_s=1)
    )
    refused_at = time.monotonic()
    kinds: list[str] = []
    lock = threading.Lock()

    def call() -> None:
        try:
            client.authorization_header()
            outcome = "ok"
        except authtoken.AuthTokenError as e:
            outcome = e.kind
        with lock:
            kinds.append(outcome)

    callers = [threading.Thread(target=call) for _ in range(16)]
    for t in callers:
        t.start()
    for t in callers:
        t.join(60)
    assert kinds == ["rate_limited"] * 16
    assert emulator.attempts("tpstreams", username) == 1
    while time.monotonic() - refused_at < 2.5:
        call()
        time.sleep(0.2)
    assert emulator.attempts("tpstreams", username) == 1
    # The record keeps whole seconds, its end rounded up: at most 1 s more.
    time.sleep(max(0.0, 4.2 - (time.monotonic() - refused_at)))
    assert client.authorization_header().startswith("Token ")
    assert emulator.attempts("tpstreams", username) == 2


def test_forget_lifts_the_cooloff(emulator: Emulator, username: str, org: str) -> None:
    client = authtoken.Client(
        **client_config(emulator, "tpstreams", username, org, password="wrong-password-123")
    )
    for _ in range(3):
        with pytest.raises(authtoken.InvalidCredentialsError):
            client.authorization_header()
    assert emulator.attempts("tpstreams", username) == 1
    client.forget()
    with pytest.raises(authtoken.InvalidCredentialsError):
        client.authorization_header()
    assert emulator.attempts("tpstreams", username) == 2
