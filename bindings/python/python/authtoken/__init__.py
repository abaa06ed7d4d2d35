"""Log in to TPStreams, Testpress and CruxConnect once; share the token; sign requests.

One Rust core does the work for every language (C, PHP, Ruby, Python, the CLI): it logs in
only when there is no valid token, shares that token across threads, processes (file cache)
and machines (Redis), signs requests, logs in again on a 401, and logs out.

    import authtoken

    with authtoken.Client(
        provider="tpstreams",
        username="hari@example.com",
        password=os.environ["TPSTREAMS_PASSWORD"],
        organization_id="auhf2k",
    ) as client:
        assets = client.get("/api/v1/auhf2k/assets/").raise_for_status().json()

The client also signs requests sent with ``requests`` (``auth=client``) and ``httpx``
(``auth=authtoken.HttpxAuth(client)``). Errors are subclasses of ``AuthTokenError``, one per
kind, with the same ``code`` in every language. Log records go to the ``authtoken`` logger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._authtoken import (
    AuthTokenError,
    Client,
    ForbiddenError,
    HttpStatusError,
    InternalError,
    InvalidArgumentError,
    InvalidConfigError,
    InvalidCredentialsError,
    LockTimeoutError,
    NetworkError,
    ProtocolError,
    RateLimitedError,
    Response,
    ServerError,
    StoreError,
    TimeoutError,
    TlsError,
    TokenLimitError,
    UnauthorizedError,
    __version__,
    config_keys,
)
from ._headers import Headers

if TYPE_CHECKING:
    from ._httpx import HttpxAuth
    from ._requests import RequestsAuth

__all__ = [
    "AuthTokenError",
    "Client",
    "ForbiddenError",
    "Headers",
    "HttpStatusError",
    "HttpxAuth",
    "InternalError",
    "InvalidArgumentError",
    "InvalidConfigError",
    "InvalidCredentialsError",
    "LockTimeoutError",
    "NetworkError",
    "ProtocolError",
    "RateLimitedError",
    "RequestsAuth",
    "Response",
    "ServerError",
    "StoreError",
    "TimeoutError",
    "TlsError",
    "TokenLimitError",
    "UnauthorizedError",
    "__version__",
    "config_keys",
    "error_class",
]

_ERROR_CLASSES = {
    cls.code: cls
    for cls in (
        InvalidConfigError,
        InvalidCredentialsError,
        TokenLimitError,
        UnauthorizedError,
        ForbiddenError,
        RateLimitedError,
        NetworkError,
        TimeoutError,
        TlsError,
        ServerError,
        ProtocolError,
        StoreError,
        LockTimeoutError,
        InvalidArgumentError,
        HttpStatusError,
        InternalError,
    )
}


def error_class(code: int) -> type[AuthTokenError]:
    """The exception class of an error code (the numbers C, PHP and Ruby use too).

    Raises ``KeyError`` for a code that no error kind has.
    """
    return _ERROR_CLASSES[code]


def __getattr__(name: str) -> Any:
    # The adapters import requests / httpx, which are optional: load them on first use.
    try:
        if name == "RequestsAuth":
            from ._requests import RequestsAuth

            return RequestsAuth
        if name == "HttpxAuth":
            from ._httpx import HttpxAuth

            return HttpxAuth
    except ImportError as e:
        library = "requests" if name == "RequestsAuth" else "httpx"
        raise ImportError(f"authtoken.{name} needs {library}: pip install {library} ({e})") from e
    raise AttributeError(f"module 'authtoken' has no attribute {name!r}")
