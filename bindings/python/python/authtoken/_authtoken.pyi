# Type stubs for the Rust extension module authtoken._authtoken (checked by mypy.stubtest).

import builtins
import os
from types import TracebackType
from typing import Any, Callable, ClassVar, Mapping, Sequence, TypeVar, overload

from typing_extensions import Self, disjoint_base, final

from ._headers import Headers

__all__ = [
    "AuthTokenError",
    "Client",
    "ForbiddenError",
    "HttpStatusError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidConfigError",
    "InvalidCredentialsError",
    "LockTimeoutError",
    "NetworkError",
    "ProtocolError",
    "RateLimitedError",
    "Response",
    "ServerError",
    "StoreError",
    "TimeoutError",
    "TlsError",
    "TokenLimitError",
    "UnauthorizedError",
    "__version__",
    "config_keys",
]

__version__: str

def config_keys() -> list[str]: ...

_StrPath = str | os.PathLike[str]
_HeaderArg = Mapping[str, str] | Sequence[tuple[str, str]] | None
_ParamsArg = Mapping[str, Any] | Sequence[tuple[str, Any]] | str | None
_DataArg = (
    bytes | bytearray | memoryview | str | Mapping[str, Any] | Sequence[tuple[str, Any]] | None
)
_Request = TypeVar("_Request")

@disjoint_base
class Client:
    def __new__(
        cls,
        provider: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        organization_id: str | None = None,
        subdomain: str | None = None,
        api_version: str | None = None,
        sandbox: bool | None = None,
        base_url: str | None = None,
        timeout_ms: int | None = None,
        connect_timeout_ms: int | None = None,
        allow_insecure_http: bool | None = None,
        ca_file: _StrPath | None = None,
        user_agent: str | None = None,
        refresh_margin_s: int | None = None,
        token_lifetime_s: int | None = None,
        login_path: str | None = None,
        logout_path: str | None = None,
        credential_fields: Mapping[str, str] | None = None,
        extra_fields: Mapping[str, Any] | None = None,
        token_field: str | None = None,
        expiry_field: str | None = None,
        scheme: str | None = None,
        cache: str | None = None,
        cache_dir: _StrPath | None = None,
        lock_timeout_ms: int | None = None,
        max_retries: int | None = None,
        max_retry_wait_ms: int | None = None,
        max_response_bytes: int | None = None,
        redis_key_prefix: str | None = None,
        redis_fallback: bool | None = None,
        login_cooloff_s: int | None = None,
    ) -> Self: ...
    @classmethod
    def from_config(cls, config: str | bytes | Mapping[str, Any], **overrides: Any) -> Self: ...
    @property
    def token(self) -> str: ...
    def authorization_header(self) -> str: ...
    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        data: _DataArg = None,
        headers: _HeaderArg = None,
        params: _ParamsArg = None,
    ) -> Response: ...
    def get(
        self,
        url: str,
        *,
        json: Any = None,
        data: _DataArg = None,
        headers: _HeaderArg = None,
        params: _ParamsArg = None,
    ) -> Response: ...
    def post(
        self,
        url: str,
        *,
        json: Any = None,
        data: _DataArg = None,
        headers: _HeaderArg = None,
        params: _ParamsArg = None,
    ) -> Response: ...
    def put(
        self,
        url: str,
        *,
        json: Any = None,
        data: _DataArg = None,
        headers: _HeaderArg = None,
        params: _ParamsArg = None,
    ) -> Response: ...
    def patch(
        self,
        url: str,
        *,
        json: Any = None,
        data: _DataArg = None,
        headers: _HeaderArg = None,
        params: _ParamsArg = None,
    ) -> Response: ...
    def delete(
        self,
        url: str,
        *,
        json: Any = None,
        data: _DataArg = None,
        headers: _HeaderArg = None,
        params: _ParamsArg = None,
    ) -> Response: ...
    def logout(self) -> None: ...
    def forget(self) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def provider(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def store(self) -> str: ...
    @overload
    def is_refused(self, status: int, body: bytes | Callable[[], bytes]) -> bool: ...
    @overload
    def is_refused(self, status: int, body: None = None) -> bool | None: ...
    def check_url(self, url: str) -> None: ...
    def invalidate(self, failed: str) -> bool: ...
    def __call__(self, request: _Request) -> _Request: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        *_exc_info: type[BaseException] | None | BaseException | None | TracebackType | None,
    ) -> bool: ...

@final
class Response:
    @property
    def status_code(self) -> int: ...
    @property
    def ok(self) -> bool: ...
    @property
    def url(self) -> str: ...
    @property
    def headers(self) -> Headers: ...
    @property
    def content(self) -> bytes: ...
    @property
    def text(self) -> str: ...
    def json(self) -> Any: ...
    def raise_for_status(self) -> Response: ...

class AuthTokenError(Exception):
    code: ClassVar[int]
    kind: ClassVar[str]
    status: int | None
    server_message: str | None
    error_code: str | None
    retry_after: float | None
    response: Response | None

class InvalidConfigError(AuthTokenError, ValueError): ...
class InvalidCredentialsError(AuthTokenError): ...
class TokenLimitError(AuthTokenError): ...
class UnauthorizedError(AuthTokenError): ...
class ForbiddenError(AuthTokenError): ...
class RateLimitedError(AuthTokenError): ...
class NetworkError(AuthTokenError, ConnectionError): ...
class TimeoutError(AuthTokenError, builtins.TimeoutError): ...
class TlsError(AuthTokenError): ...
class ServerError(AuthTokenError): ...
class ProtocolError(AuthTokenError): ...
class StoreError(AuthTokenError): ...
class LockTimeoutError(AuthTokenError, builtins.TimeoutError): ...
class InvalidArgumentError(AuthTokenError, ValueError): ...
class HttpStatusError(AuthTokenError): ...
class InternalError(AuthTokenError): ...
