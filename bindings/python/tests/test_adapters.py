"""The requests and httpx adapters: the header, one login, 401 re-login, the origin rule."""

from __future__ import annotations

import asyncio
import json

import authtoken
import httpx
import pytest
import requests
from conftest import Emulator, MakeClient
from test_threads import run_threads


def echo_url(emulator: Emulator, service: str = "tpstreams") -> str:
    return emulator.base_url(service) + "/api/echo/"


def test_requests_accepts_the_client_as_auth(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    response = requests.get(echo_url(emulator), auth=client, params={"q": "1"}, timeout=30)
    assert response.status_code == 200
    sent = response.json()
    assert sent["headers"]["authorization"] == client.authorization_header()
    assert sent["query"] == "q=1"
    with requests.Session() as session:
        session.auth = client
        for i in range(3):
            posted = session.post(echo_url(emulator), json={"i": i}, timeout=30)
            assert json.loads(posted.json()["body"]) == {"i": i}
    assert emulator.logins("tpstreams", username) == 1


def test_requests_logs_in_again_on_401_and_resends(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    auth = authtoken.RequestsAuth(client)
    assert isinstance(auth, requests.auth.AuthBase)
    old = client.authorization_header()
    emulator.revoke("tpstreams", username)
    response = requests.post(echo_url(emulator), auth=auth, data=b"payload", timeout=30)
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [401]
    sent = response.json()
    assert sent["body"] == "payload"
    assert sent["headers"]["authorization"] not in (old, None)
    assert emulator.logins("tpstreams", username) == 2


def test_requests_threads_refused_together_cause_one_login(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    client.authorization_header()
    emulator.revoke("tpstreams", username)
    statuses = run_threads(
        lambda: requests.get(echo_url(emulator), auth=client, timeout=30).status_code
    )
    assert statuses == [200] * len(statuses)
    assert emulator.logins("tpstreams", username) == 2


def test_requests_returns_a_second_refusal(emulator: Emulator, make_client: MakeClient) -> None:
    client = make_client()
    client.authorization_header()
    emulator.fault(service="tpstreams", path="/api/echo/", kind="status", status=401, count=2)
    response = requests.get(echo_url(emulator), auth=client, timeout=30)
    assert response.status_code == 401
    assert [r.status_code for r in response.history] == [401]


def test_requests_testpress_403_for_a_bad_jwt_logs_in_again(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client("testpress")
    url = emulator.base_url("testpress") + "/api/v2.5/exams/"
    assert requests.get(url, auth=client, timeout=30).status_code == 200
    emulator.revoke("testpress", username)
    response = requests.get(url, auth=client, timeout=30)
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [403]
    assert emulator.logins("testpress", username) == 2


def test_requests_never_sends_the_header_to_another_origin(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    with pytest.raises(authtoken.InvalidArgumentError, match="refusing to send"):
        requests.get("http://localhost:1/api/echo/", auth=client, timeout=30)
    assert emulator.logins("tpstreams", username) == 0


def test_httpx_sync_flow(emulator: Emulator, make_client: MakeClient, username: str) -> None:
    client = make_client()
    with httpx.Client(auth=authtoken.HttpxAuth(client), timeout=30) as http:
        first = http.get(echo_url(emulator))
        assert first.json()["headers"]["authorization"] == client.authorization_header()
        emulator.revoke("tpstreams", username)
        again = http.post(echo_url(emulator), json={"resent": 1})
        assert again.status_code == 200
        assert json.loads(again.json()["body"]) == {"resent": 1}
        assert again.json()["headers"]["authorization"] == client.authorization_header()
    assert emulator.logins("tpstreams", username) == 2


def test_httpx_async_flow(emulator: Emulator, make_client: MakeClient, username: str) -> None:
    client = make_client()

    async def main() -> list[int]:
        async with httpx.AsyncClient(auth=authtoken.HttpxAuth(client), timeout=30) as http:
            await http.get(echo_url(emulator))
            emulator.revoke("tpstreams", username)
            responses = await asyncio.gather(*(http.get(echo_url(emulator)) for _ in range(10)))
            return [r.status_code for r in responses]

    assert asyncio.run(main()) == [200] * 10
    assert emulator.logins("tpstreams", username) == 2


def test_httpx_async_flow_reads_a_body_only_when_the_core_needs_it(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    tpstreams, testpress = make_client(), make_client("testpress")
    exams = emulator.base_url("testpress") + "/api/v2.5/exams/"

    async def main() -> None:
        async with httpx.AsyncClient(auth=authtoken.HttpxAuth(tpstreams), timeout=30) as http:
            emulator.fault(
                service="tpstreams", path="/api/echo/", kind="status", status=403, count=1
            )
            async with http.stream("GET", echo_url(emulator)) as response:
                assert response.status_code == 403
                assert not response.is_stream_consumed, "a TPStreams 403 is left to the caller"
        async with httpx.AsyncClient(auth=authtoken.HttpxAuth(testpress), timeout=30) as http:
            assert (await http.get(exams)).status_code == 200
            emulator.revoke("testpress", username)
            async with http.stream("GET", exams) as response:  # a 403 for the revoked JWT
                assert response.status_code == 200
                assert [r.status_code for r in response.history] == [403]

    asyncio.run(main())
    assert emulator.logins("tpstreams", username) == 1
    assert emulator.logins("testpress", username) == 2


def test_httpx_refuses_another_origin_and_the_bare_client(
    emulator: Emulator, make_client: MakeClient
) -> None:
    client = make_client()
    with pytest.raises(authtoken.InvalidArgumentError, match="refusing to send"):
        httpx.get("http://localhost:1/", auth=authtoken.HttpxAuth(client))
    with pytest.raises(TypeError, match="HttpxAuth"):
        httpx.get(echo_url(emulator), auth=client)
