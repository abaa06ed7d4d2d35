"""Fixtures: the emulator (AUTHTOKEN_EMULATOR, or one started here) and clients against it."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import authtoken
import pytest

# The emulator's password: AUTHTOKEN_TEST_PASSWORD (the secrets audit's sentinel), else the
# default of scripts/with-emulator.sh and of the emulator.
PASSWORD = os.environ.get("AUTHTOKEN_TEST_PASSWORD") or "demo-password"
ROOT = Path(__file__).resolve().parents[3]
SCHEMES = {
    "tpstreams": "Token",
    "tpstreams-legacy": "token",
    "testpress": "JWT",
    "cruxconnect": "Token",
}


class Emulator:
    """The emulator's admin API (see emulator/README.md)."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")

    def base_url(self, service: str) -> str:
        return f"{self.root}/{service}"

    def admin(self, method: str, path: str, body: Any | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.root}/_emulator/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("GET", "stats")
        return result

    def logins(self, service: str, username: str) -> int:
        count: int = self.stats()["logins"][service].get(username, 0)
        return count

    def attempts(self, service: str, username: str) -> int:
        """Every login POST the server saw for `username`, refused ones included."""
        count: int = self.stats()["login_attempts"][service].get(username, 0)
        return count

    def logouts(self, service: str, username: str) -> int:
        count: int = self.stats()["logouts"][service].get(username, 0)
        return count

    def fault(self, **fault: Any) -> None:
        self.admin("POST", "faults", fault)

    def revoke(self, service: str, username: str) -> int:
        revoked: int = self.admin("POST", "revoke", {"service": service, "username": username})[
            "revoked"
        ]
        return revoked


@contextlib.contextmanager
def _start_emulator() -> Iterator[str]:
    binary = os.environ.get("AUTHTOKEN_EMULATOR_BIN") or str(
        ROOT / "target" / "debug" / "authtoken-emulator"
    )
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "-q", "-p", "authtoken-emulator"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        addr_file = os.path.join(tmp, "addr")
        proc = subprocess.Popen(
            [binary, "--bind", "127.0.0.1:0", "--addr-file", addr_file, "--quiet"],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(addr_file):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the emulator did not start")
                time.sleep(0.02)
            with open(addr_file) as f:
                yield f.read().strip()
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    url = os.environ.get("AUTHTOKEN_EMULATOR")
    if url:
        yield Emulator(url)
        return
    with _start_emulator() as root:
        yield Emulator(root)


@pytest.fixture
def username() -> str:
    """A username no other test uses (the emulator keeps its counters per username)."""
    return f"py-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture
def org() -> str:
    """An organization id no other test uses (TPStreams counts live tokens per organization)."""
    return f"org-{uuid.uuid4().hex[:10]}"


MakeClient = Callable[..., authtoken.Client]


def client_config(
    emulator: Emulator, service: str, username: str, org: str, **overrides: Any
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "provider": service,
        "username": username,
        "password": PASSWORD,
        "base_url": emulator.base_url(service),
        "cache": "memory",
        "max_retries": 0,
    }
    if service == "tpstreams":
        config["organization_id"] = org
    config.update(overrides)
    return config


@pytest.fixture
def make_client(emulator: Emulator, username: str, org: str) -> Iterator[MakeClient]:
    """Builds clients for this test's username and organization; closes them afterwards."""
    made = []

    def make(service: str = "tpstreams", **overrides: Any) -> authtoken.Client:
        client = authtoken.Client(**client_config(emulator, service, username, org, **overrides))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
