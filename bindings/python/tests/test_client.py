"""The Client against the emulator: providers, headers, signed requests, logout, 401, errors."""

from __future__ import annotations

import json
import pickle
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import authtoken
import pytest
from conftest import PASSWORD, SCHEMES, Emulator, MakeClient, client_config


def echo(response: authtoken.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("service", sorted(SCHEMES))
def test_every_provider_logs_in_once_and_signs_requests(
    emulator: Emulator, make_client: MakeClient, username: str, service: str
) -> None:
    client = make_client(service)
    header = client.authorization_header()
    assert header == f"{SCHEMES[service]} {client.token}"
    sent = echo(client.get("/api/echo/"))
    assert sent["headers"]["authorization"] == header
    assert sent["path"] == f"/{service}/api/echo/"
    for _ in range(3):
        client.get("/api/echo/")
        assert client.authorization_header() == header
    assert emulator.logins(service, username) == 1


def test_custom_provider_profile(emulator: Emulator, username: str, org: str) -> None:
    client = authtoken.Client(
        provider="custom",
        base_url=emulator.base_url("tpstreams"),
        username=username,
        password=PASSWORD,
        login_path="/api/auth/login/",
        logout_path="/api/auth/logout/",
        extra_fields={"organization_id": org},
        token_field="token",
        expiry_field="expiry",
        scheme="Token",
        cache="memory",
    )
    header = client.authorization_header()
    assert header.startswith("Token ") and len(header) == len("Token ") + 64
    assert echo(client.get("/api/echo/"))["headers"]["authorization"] == header
    client.logout()
    assert emulator.logins("tpstreams", username) == 1
    assert emulator.logouts("tpstreams", username) == 1


def test_signed_requests_send_query_headers_and_bodies(
    emulator: Emulator, make_client: MakeClient
) -> None:
    client = make_client()
    response = client.get(
        "/api/echo/items", params={"page": 2, "tag": ["a", "b"]}, headers={"X-Trace": "t1"}
    )
    sent = echo(response)
    assert sent["method"] == "GET"
    assert sent["query"] == "page=2&tag=a&tag=b"
    assert sent["headers"]["x-trace"] == "t1"
    assert response.url.endswith("/tpstreams/api/echo/items?page=2&tag=a&tag=b")
    assert response.ok
    assert response.headers["Content-Type"].startswith("application/json")
    assert "content-type" in response.headers
    assert response.text == response.content.decode()

    sent = echo(client.post("/api/echo/", json={"name": "clip", "n": 1, "ü": True}))
    assert sent["method"] == "POST"
    assert json.loads(sent["body"]) == {"name": "clip", "n": 1, "ü": True}
    assert sent["headers"]["content-type"] == "application/json"

    sent = echo(
        client.put("/api/echo/", data=b"raw-bytes", headers=[("Content-Type", "text/plain")])
    )
    assert (sent["method"], sent["body"], sent["headers"]["content-type"]) == (
        "PUT",
        "raw-bytes",
        "text/plain",
    )

    sent = echo(client.patch("/api/echo/", data={"a": "1", "b": "x y"}))
    assert (sent["method"], sent["body"]) == ("PATCH", "a=1&b=x+y")
    assert sent["headers"]["content-type"] == "application/x-www-form-urlencoded"

    assert echo(client.delete("/api/echo/"))["method"] == "DELETE"
    assert echo(client.request("options", "/api/echo/", params="x=1"))["method"] == "OPTIONS"

    absolute = emulator.base_url("tpstreams") + "/api/echo/?a=1"
    assert echo(client.get(absolute, params={"b": 2}))["query"] == "a=1&b=2"


def test_raise_for_status_maps_the_status_to_an_error(
    emulator: Emulator, make_client: MakeClient
) -> None:
    client = make_client()
    ok = client.get("/api/echo/")
    assert ok.raise_for_status() is ok

    missing = client.get("/api/missing/")
    assert missing.status_code == 404 and not missing.ok
    with pytest.raises(authtoken.HttpStatusError) as caught:
        missing.raise_for_status()
    error = caught.value
    assert (error.code, error.kind, error.status) == (15, "http_status", 404)
    assert error.server_message == "Not found."
    assert error.response is missing
    assert "404" in str(error)

    emulator.fault(
        service="tpstreams", path="/api/echo/", kind="status", status=503, retry_after=7, count=1
    )
    unavailable = client.get("/api/echo/")
    assert unavailable.status_code == 503
    with pytest.raises(authtoken.ServerError) as server:
        unavailable.raise_for_status()
    assert (server.value.status, server.value.retry_after) == (503, 7.0)


def test_logout_revokes_the_token_for_everyone(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    old = client.authorization_header()
    client.logout()
    assert emulator.logouts("tpstreams", username) == 1
    request = urllib.request.Request(
        emulator.base_url("tpstreams") + "/api/echo/", headers={"Authorization": old}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    refused.value.close()
    assert client.authorization_header() != old
    assert emulator.logins("tpstreams", username) == 2


def test_logout_without_a_token_sends_nothing(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    make_client().logout()
    assert emulator.logouts("tpstreams", username) == 0


def test_logout_where_the_service_has_no_endpoint_forgets_locally(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client("tpstreams-legacy")
    old = client.authorization_header()
    client.logout()
    assert client.authorization_header() != old
    assert emulator.logins("tpstreams-legacy", username) == 2


def test_a_revoked_token_is_replaced_and_the_request_resent(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    old = client.authorization_header()
    assert emulator.revoke("tpstreams", username) == 1
    sent = echo(client.post("/api/echo/", json={"resent": True}))
    assert json.loads(sent["body"]) == {"resent": True}
    assert sent["headers"]["authorization"] != old
    assert emulator.logins("tpstreams", username) == 2


def test_the_header_follows_every_new_token(
    emulator: Emulator, make_client: MakeClient, username: str, org: str
) -> None:
    # A re-login made by a request (the server refused the token) ...
    client = make_client()
    old = client.authorization_header()
    assert client.authorization_header() is old, "the same str while warm"
    emulator.revoke("tpstreams", username)
    sent = echo(client.get("/api/echo/"))
    fresh = client.authorization_header()
    assert fresh != old
    assert sent["headers"]["authorization"] == fresh
    assert emulator.logins("tpstreams", username) == 2

    # ... and a refresh when the token's lifetime runs out.
    user = username + "-lifetime"
    expiring = authtoken.Client(
        **client_config(
            emulator, "tpstreams-legacy", user, org, token_lifetime_s=1, refresh_margin_s=0
        )
    )
    first = expiring.authorization_header()
    time.sleep(1.1)
    assert expiring.authorization_header() != first
    assert expiring.get("/api/echo/").status_code == 200
    assert emulator.logins("tpstreams-legacy", user) == 2
    expiring.close()
    with pytest.raises(authtoken.InvalidArgumentError, match="closed"):
        expiring.authorization_header()


def test_a_second_401_raises_unauthorized(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    client.authorization_header()
    emulator.fault(service="tpstreams", path="/api/echo/", kind="status", status=401, count=2)
    with pytest.raises(authtoken.UnauthorizedError) as caught:
        client.get("/api/echo/")
    assert (caught.value.code, caught.value.status) == (4, 401)
    assert emulator.logins("tpstreams", username) == 2


def test_the_token_limit_is_reported_as_such(emulator: Emulator, org: str) -> None:
    def client_for(i: int) -> authtoken.Client:
        return authtoken.Client(
            **client_config(emulator, "tpstreams", f"limit-{i}-{org}@example.com", org)
        )

    holders = [client_for(i) for i in range(20)]
    for holder in holders:
        holder.authorization_header()
    extra = client_for(20)
    with pytest.raises(authtoken.TokenLimitError) as caught:
        extra.get("/api/echo/")
    error = caught.value
    assert (error.code, error.kind, error.status) == (3, "token_limit", 403)
    assert error.server_message == "Maximum amount of tokens allowed per user exceeded."
    assert "log out tokens that are no longer used" in str(error)
    holders[0].logout()
    extra.forget()  # the refusal is remembered (login_cooloff_s): forget() lifts it
    assert extra.authorization_header().startswith("Token ")


def test_bad_credentials(emulator: Emulator, make_client: MakeClient, username: str) -> None:
    client = make_client(password="wrong-password-123")
    with pytest.raises(authtoken.InvalidCredentialsError) as caught:
        client.authorization_header()
    error = caught.value
    assert isinstance(error, authtoken.AuthTokenError)
    assert (error.code, error.kind, error.status) == (2, "invalid_credentials", 400)
    assert error.server_message == "Unable to log in with provided credentials."
    assert "wrong-password-123" not in str(error) and "wrong-password-123" not in repr(error)
    assert emulator.logins("tpstreams", username) == 0


def test_unknown_keyword_arguments_raise_type_error(make_client: MakeClient) -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'pasword'.*'password'"):
        authtoken.Client(  # type: ignore[call-arg]
            provider="tpstreams", username="u", pasword="p", organization_id="o"
        )
    with pytest.raises(TypeError, match="cache_dir"):
        make_client(cache="file", cache_dir=object())


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"timeout_ms": "soon"}, "timeout_ms"),
        ({"timeout_ms": 0}, "timeout_ms"),
        ({"subdomain": "demo"}, "subdomain"),
        ({"organization_id": None}, "organization_id"),
        ({"cache": "floppy"}, "cache"),
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"base_url": "http://example.com/api"}, "base_url"),
        ({"max_retries": 99}, "max_retries"),
    ],
)
def test_invalid_values_raise_value_error_naming_the_key(
    make_client: MakeClient, overrides: dict[str, Any], named: str
) -> None:
    with pytest.raises(authtoken.InvalidConfigError) as caught:
        make_client(**overrides)
    assert isinstance(caught.value, ValueError)
    assert f"`{named}`" in str(caught.value)
    assert caught.value.code == 1


def test_invalid_request_arguments_send_nothing(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    client = make_client()
    with pytest.raises(authtoken.InvalidArgumentError, match="method"):
        client.request("BREW", "/api/echo/")
    with pytest.raises(authtoken.InvalidArgumentError, match="refusing to send"):
        client.get("http://localhost:1/api/echo/")
    with pytest.raises(authtoken.InvalidArgumentError, match="Authorization"):
        client.get("/api/echo/", headers={"Authorization": "Token mine"})
    with pytest.raises(TypeError, match="json= or data="):
        client.post("/api/echo/", json={}, data=b"")
    with pytest.raises(TypeError, match="X-Count"):
        client.get("/api/echo/", headers={"X-Count": 3})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="data must be"):
        client.post("/api/echo/", data=object())  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.post("/api/echo/", json={"n": float("nan")})
    stats = emulator.stats()
    assert stats["login_attempts"]["tpstreams"].get(username, 0) == 0
    assert stats["requests"]["tpstreams"].get(username, 0) == 0


def test_from_config_accepts_json_and_mappings(
    emulator: Emulator, username: str, org: str, tmp_path: Path
) -> None:
    config = client_config(emulator, "tpstreams", username, org)
    from_mapping = authtoken.Client.from_config(config)
    from_text = authtoken.Client.from_config(json.dumps(config).encode())
    assert from_mapping.authorization_header() == from_text.authorization_header()
    assert emulator.logins("tpstreams", username) == 1

    no_password = {k: v for k, v in config.items() if k != "password"}
    overridden = authtoken.Client.from_config(
        json.dumps(no_password), password=PASSWORD, cache="file", cache_dir=tmp_path
    )
    assert overridden.store == f"file:{tmp_path}"

    with pytest.raises(authtoken.InvalidConfigError, match=r"unknown config key `pasword`"):
        authtoken.Client.from_config({**no_password, "pasword": PASSWORD})
    with pytest.raises(authtoken.InvalidConfigError) as bad_json:
        authtoken.Client.from_config('{"provider": "tpstreams", "password": "hunter22"')
    assert "hunter22" not in str(bad_json.value)
    with pytest.raises(authtoken.InvalidConfigError, match="JSON object"):
        authtoken.Client.from_config("[1, 2]")
    with pytest.raises(TypeError, match="mapping"):
        authtoken.Client.from_config(42)  # type: ignore[arg-type]


def test_password_from_the_environment(
    emulator: Emulator, username: str, org: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTHTOKEN_PASSWORD", PASSWORD)
    config = client_config(emulator, "tpstreams", username, org)
    del config["password"]
    assert authtoken.Client(**config).authorization_header().startswith("Token ")


def test_context_manager_closes_without_logging_out(
    emulator: Emulator, make_client: MakeClient, username: str
) -> None:
    with make_client() as client:
        header = client.authorization_header()
        assert not client.closed
    assert client.closed
    assert "closed" in repr(client)
    with pytest.raises(authtoken.InvalidArgumentError, match="closed"):
        client.get("/api/echo/")
    client.close()
    assert emulator.logouts("tpstreams", username) == 0
    assert make_client().authorization_header() == header
    assert emulator.logins("tpstreams", username) == 1


def test_repr_and_properties_never_show_secrets(make_client: MakeClient, username: str) -> None:
    client = make_client()
    token = client.token
    text = repr(client)
    assert username in text and PASSWORD not in text and token not in text
    assert (client.provider, client.username, client.store) == ("tpstreams", username, "memory")
    assert client.base_url.endswith("/tpstreams")
    client.check_url(client.base_url + "/api/echo/")
    with pytest.raises(authtoken.InvalidArgumentError, match=r"app\.tpstreams\.com"):
        client.check_url("https://app.tpstreams.com/api/")


def test_check_url_is_the_cores_origin_rule(make_client: MakeClient) -> None:
    client = make_client()
    client.check_url(client.base_url + "/x/?page=2")
    with pytest.raises(authtoken.InvalidArgumentError) as other_port:
        client.check_url("http://127.0.0.1:1/api/")
    assert str(other_port.value).startswith(
        "refusing to send the Authorization header to http://127.0.0.1: this client is for"
    )
    # The copy this replaced compared scheme, host and port only, so it let these through to
    # the header code; the core refuses them by name.
    with pytest.raises(
        authtoken.InvalidArgumentError, match=r"a ftp: URL: only http:// and https://"
    ):
        client.check_url("ftp://127.0.0.1/")
    with pytest.raises(authtoken.InvalidArgumentError, match=r"invalid URL `/api/`"):
        client.check_url("/api/")


def test_is_refused_is_the_cores_refusal_rule(make_client: MakeClient) -> None:
    tpstreams, testpress = make_client(), make_client("testpress")
    expired = b'{"detail": "Signature has expired."}'
    assert tpstreams.is_refused(401, b"") and testpress.is_refused(401, b"")
    assert not tpstreams.is_refused(403, expired)
    assert testpress.is_refused(403, expired)
    # The adapters' former copy read only `detail`; the core finds the message in `message`
    # too, as it does for its own requests.
    assert testpress.is_refused(403, b'{"message": "Signature has expired."}')
    assert not testpress.is_refused(403, b'{"detail": "You do not have permission."}')
    assert not testpress.is_refused(200, expired)

    def unread() -> bytes:
        raise AssertionError("the body was read for a status that does not need it")

    assert testpress.is_refused(401, unread) and not testpress.is_refused(500, unread)
    assert not tpstreams.is_refused(403, unread)
    assert testpress.is_refused(403, lambda: expired)
    with pytest.raises(TypeError):
        testpress.is_refused(403, "not bytes")  # type: ignore[call-overload]
    # Without a body: None when the decision needs it (for async code, which reads it first).
    assert testpress.is_refused(403) is None
    assert tpstreams.is_refused(403) is False and testpress.is_refused(401) is True
    assert testpress.is_refused(200) is False


def test_error_classes_carry_the_core_codes() -> None:
    expected = [
        ("InvalidConfigError", "invalid_config"),
        ("InvalidCredentialsError", "invalid_credentials"),
        ("TokenLimitError", "token_limit"),
        ("UnauthorizedError", "unauthorized"),
        ("ForbiddenError", "forbidden"),
        ("RateLimitedError", "rate_limited"),
        ("NetworkError", "network"),
        ("TimeoutError", "timeout"),
        ("TlsError", "tls"),
        ("ServerError", "server"),
        ("ProtocolError", "protocol"),
        ("StoreError", "store"),
        ("LockTimeoutError", "lock_timeout"),
        ("InvalidArgumentError", "invalid_argument"),
        ("HttpStatusError", "http_status"),
        ("InternalError", "internal"),
    ]
    for code, (name, kind) in enumerate(expected, start=1):
        cls = getattr(authtoken, name)
        assert issubclass(cls, authtoken.AuthTokenError)
        assert (cls.code, cls.kind, cls.__module__) == (code, kind, "authtoken")
        assert authtoken.error_class(code) is cls
    assert issubclass(authtoken.InvalidConfigError, ValueError)
    assert issubclass(authtoken.InvalidArgumentError, ValueError)
    assert issubclass(authtoken.NetworkError, ConnectionError)
    assert issubclass(authtoken.TimeoutError, TimeoutError)
    with pytest.raises(KeyError):
        authtoken.error_class(0)


def test_errors_survive_pickling(make_client: MakeClient) -> None:
    client = make_client(base_url="http://127.0.0.1:9/tpstreams")
    with pytest.raises(authtoken.NetworkError) as caught:
        client.authorization_header()
    assert caught.value.code == 7 and caught.value.status is None
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is authtoken.NetworkError
    assert (str(copy), copy.code, copy.kind) == (str(caught.value), 7, "network")
    with pytest.raises(TypeError, match="pickle"):
        pickle.dumps(client)


def test_headers_mapping() -> None:
    headers = authtoken.Headers(
        [("set-cookie", "a=1"), ("Content-Type", "text/plain"), ("set-cookie", "b=2")]
    )
    assert headers["SET-COOKIE"] == "a=1, b=2"
    assert headers.get_list("Set-Cookie") == ["a=1", "b=2"]
    assert dict(headers) == {"set-cookie": "a=1, b=2", "content-type": "text/plain"}
    assert headers == {"Content-Type": "text/plain", "Set-Cookie": "a=1, b=2"}
    assert len(headers) == 2 and "content-type" in headers
    assert 3 not in headers  # type: ignore[comparison-overlap]
    assert headers.get("x-missing") is None
    with pytest.raises(KeyError):
        headers["x-missing"]
