"""Threads: one client shared by 16 threads logs in once, and its calls run without the GIL."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import authtoken
from conftest import Emulator, MakeClient

THREADS = 16


def run_threads(target: Callable[[], Any], count: int = THREADS) -> list[Any]:
    """Runs `target` in `count` threads started together; returns results, re-raises errors."""
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(count)
    lock = threading.Lock()

    def body() -> None:
        start.wait()
        try:
            value = target()
        except BaseException as e:  # reported below, in the test's thread
            with lock:
                errors.append(e)
        else:
            with lock:
                results.append(value)

    threads = [threading.Thread(target=body) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    if errors:
        raise errors[0]
    assert len(results) == count
    return results


def test_sixteen_threads_share_one_login(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()

    def work() -> list[str]:
        sent = []
        for _ in range(5):
            response = client.get("/api/echo/")
            assert response.status_code == 200
            sent.append(response.json()["headers"]["authorization"])
        return sent

    headers = {h for result in run_threads(work) for h in result}
    assert len(headers) == 1
    assert emulator.logins("tpstreams", username) == 1


def test_sixteen_threads_seeing_a_revoked_token_log_in_once_more(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    old = client.authorization_header()
    emulator.revoke("tpstreams", username)
    headers = set(run_threads(lambda: client.get("/api/echo/").json()["headers"]["authorization"]))
    assert len(headers) == 1 and old not in headers
    assert emulator.logins("tpstreams", username) == 2


class _Rendezvous:
    """A service (run by Python threads of this process) whose API call returns only when all
    16 calls are in flight at once, and whose login is slow."""

    def __init__(self) -> None:
        self.barrier = threading.Barrier(THREADS, timeout=30)
        self.logins = 0
        self.lock = threading.Lock()
        self.token = uuid.uuid4().hex


@contextlib.contextmanager
def rendezvous_server() -> Iterator[tuple[str, _Rendezvous]]:
    state = _Rendezvous()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            time.sleep(0.3)  # the other threads wait for this login on the client's gate
            with state.lock:
                state.logins += 1
            self.answer(200, {"token": state.token})

        def do_GET(self) -> None:
            if self.headers.get("Authorization") != f"Token {state.token}":
                self.answer(401, {"detail": "Invalid token."})
                return
            try:
                state.barrier.wait()
            except threading.BrokenBarrierError:
                self.answer(500, {"detail": "the calls did not overlap"})
                return
            self.answer(200, {"together": THREADS})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def test_calls_release_the_gil_so_sixteen_requests_overlap() -> None:
    # The server is Python code of this process: it can only answer while the client's calls
    # (the login, the 15 waits on the login gate, the 16 requests) have released the GIL, and
    # its API call only answers 200 once all 16 requests are in flight together.
    with rendezvous_server() as (base_url, state):
        client = authtoken.Client(
            provider="custom",
            base_url=base_url,
            login_path="/login/",
            username="rendezvous",
            password="secret-password",
            cache="memory",
            max_retries=0,
        )
        statuses = run_threads(lambda: client.get("/together/").status_code)
        assert statuses == [200] * THREADS
        assert state.logins == 1
