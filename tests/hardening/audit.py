"""The secrets audit's Python scenario, run by scripts/secrets-audit.sh, which scans everything
this program prints (and the disk): repr() of clients, responses and exceptions, str() and
tracebacks of every error, and the library's log records at DEBUG, for logins, signed requests,
re-logins, logouts and failures with every provider and the file cache. The tokens it obtains
go to $AUDIT_TOKENS only; the password is $AUDIT_PASSWORD, which the emulator at
$AUTHTOKEN_EMULATOR was started with.

Not an example of good practice: it prints what a careless program might print.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import traceback
import urllib.request
from typing import Any

import authtoken

ROOT = os.environ["AUTHTOKEN_EMULATOR"]
PASSWORD = os.environ["AUDIT_PASSWORD"]
TOKENS = open(os.environ["AUDIT_TOKENS"], "a", encoding="utf-8")  # noqa: SIM115


def admin(path: str, body: dict[str, Any]) -> None:
    req = urllib.request.Request(
        f"{ROOT}/_emulator/{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30):
        pass


def client(provider: str, user: str, password: str = PASSWORD, **extra: Any) -> authtoken.Client:
    config: dict[str, Any] = {
        "provider": provider,
        "username": user,
        "password": password,
        "base_url": f"{ROOT}/{provider}",
        **extra,
    }
    if provider == "tpstreams":
        config["organization_id"] = "audit-python"
    c = authtoken.Client.from_config(config)
    print(f"show: client {c!r} {c.store} {c.base_url}")
    return c


def record(c: authtoken.Client) -> None:
    TOKENS.write(c.token + "\n")
    TOKENS.flush()


def show(what: str, e: BaseException) -> None:
    print(f"show: {what} -> {type(e).__name__}: {e} | {e!r} | {vars(e)!r} | {e.args!r}")
    print("".join(traceback.format_exception(e)))


def expect_error(what: str, kind: type[authtoken.AuthTokenError], call: Any) -> None:
    try:
        call()
    except kind as e:
        show(what, e)
    else:
        raise AssertionError(f"{what}: no {kind.__name__}")


def token_of(c: authtoken.Client) -> Any:
    """A call that reads the client's token (a property)."""
    return lambda: c.token


def main() -> int:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    for provider in ["tpstreams", "tpstreams-legacy", "testpress", "cruxconnect"]:
        print(f"# {provider}")
        c = client(provider, "audit-python")
        record(c)
        r = c.get("/api/echo/")
        # The echo endpoint returns the request's headers in its body, by design: not shown.
        print(f"show: {r!r} {r.status_code} {dict(r.headers)!r}")
        admin("revoke", {"service": provider, "username": "audit-python"})
        print(f"show: after a revocation: {c.get('/api/echo/')!r}")
        record(c)
        admin(
            "faults",
            {
                "service": provider,
                "path": "/api/echo/",
                "kind": "status",
                "status": 401,
                "count": 2,
            },
        )
        expect_error(
            "persistent 401", authtoken.UnauthorizedError, functools.partial(c.get, "/api/echo/")
        )
        record(c)
        admin(
            "faults", {"service": provider, "path": "/api/echo/", "kind": "status", "status": 400}
        )
        resp = c.get("/api/echo/")
        expect_error("raise_for_status", authtoken.HttpStatusError, resp.raise_for_status)
        expect_error(
            "a header with a newline",
            authtoken.InvalidArgumentError,
            functools.partial(c.get, "/api/echo/", headers={"X-Bad": "a\nb"}),
        )
        expect_error(
            "another origin",
            authtoken.InvalidArgumentError,
            functools.partial(c.get, "https://elsewhere.example/"),
        )
        if provider in ("tpstreams", "testpress"):
            admin(
                "faults", {"service": provider, "path": "logout", "kind": "status", "status": 500}
            )
            expect_error("logout answered 500", authtoken.ServerError, c.logout)
        c.logout()
        c.close()

    print("# failures at login")
    bad = client("cruxconnect", "audit-python-wrong", password=PASSWORD + "-wrong")
    expect_error("wrong password", authtoken.InvalidCredentialsError, token_of(bad))
    faults: list[dict[str, Any]] = [
        {"kind": "malformed"},
        {"kind": "oversized", "bytes": 2 << 20},
        {"kind": "drop"},
        {"kind": "status", "status": 503, "retry_after": 1},
        {"kind": "delay", "delay_ms": 1500},
    ]
    for fault in faults:
        admin("faults", {"service": "cruxconnect", "path": "login", **fault})
        failing = client("cruxconnect", "audit-python-fault", timeout_ms=300)
        expect_error(json.dumps(fault), authtoken.AuthTokenError, token_of(failing))

    print("# configuration errors")
    for config in [
        {"provider": "cruxconnect", "username": "u", "pasword": PASSWORD},
        {
            "provider": "cruxconnect",
            "username": "u",
            "password": PASSWORD,
            "base_url": f"http://u:{PASSWORD}@127.0.0.1:1/",
        },
        {"provider": "cruxconnect", "username": "u", "password": PASSWORD, "colour": PASSWORD},
    ]:
        expect_error(
            "invalid config",
            authtoken.InvalidConfigError,
            functools.partial(authtoken.Client.from_config, config),
        )
    redis = client(
        "cruxconnect",
        "audit-python-redis",
        cache=f"redis://:{PASSWORD}@127.0.0.1:1/0",
        connect_timeout_ms=300,
    )
    expect_error("unreachable Redis with a password", authtoken.StoreError, token_of(redis))
    print("audit: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
