"""Rust log records reach Python's logging under the `authtoken` logger, without secrets."""

from __future__ import annotations

import logging

import pytest
from conftest import PASSWORD, Emulator, MakeClient


def test_core_log_records_reach_python_logging_without_secrets(
    caplog: pytest.LogCaptureFixture, emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="authtoken")
    client = make_client()
    first = client.token
    emulator.revoke("tpstreams", username)
    client.get("/api/echo/")
    second = client.token
    client.logout()

    records = [
        r for r in caplog.records if r.name == "authtoken" or r.name.startswith("authtoken.")
    ]
    messages = [r.getMessage() for r in records]
    assert any("logging in to" in m and username in m for m in messages), messages
    assert any("answered 401" in m and "logging in again" in m for m in messages), messages
    assert {r.levelno for r in records} >= {logging.DEBUG, logging.INFO}
    for message in messages:
        assert PASSWORD not in message
        assert first not in message and second not in message


def test_python_logging_levels_apply(
    caplog: pytest.LogCaptureFixture, make_client: MakeClient
) -> None:
    caplog.set_level(logging.WARNING, logger="authtoken")
    make_client().authorization_header()
    assert [r for r in caplog.records if r.name.startswith("authtoken")] == []
