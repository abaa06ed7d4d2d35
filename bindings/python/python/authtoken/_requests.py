"""Signing for ``requests``: ``requests.get(url, auth=client)`` or ``auth=RequestsAuth(client)``."""

from __future__ import annotations

from typing import Any

from requests.auth import AuthBase
from requests.cookies import extract_cookies_to_jar
from requests.models import PreparedRequest, Response

from ._authtoken import Client


class RequestsAuth(AuthBase):
    """A ``requests`` authentication handler backed by an :class:`authtoken.Client`.

    Sets the ``Authorization`` header from the client's token (logging in only when there is
    no valid token). When the server refuses it (401, or Testpress' 403 for a bad JWT), the
    token is replaced once (one login however many threads and processes see the refusal) and
    the request is sent again; the first response is kept in ``response.history``. A second
    refusal is returned as it is: check ``status_code`` or call ``raise_for_status()``. A
    streamed body that cannot be rewound is not resent.

    Raises ``InvalidArgumentError`` for a URL of another origin than the client's (the header
    is never sent elsewhere), and the client's login errors (``InvalidCredentialsError``, ...).
    Thread-safe: share one instance (or the client itself) between threads and sessions.
    """

    def __init__(self, client: Client) -> None:
        self.client = client

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self.client.check_url(r.url or "")
        header = self.client.authorization_header()
        r.headers["Authorization"] = header
        position: int | None = None
        body: Any = r.body
        if body is not None and not isinstance(body, (bytes, str)) and hasattr(body, "seek"):
            try:
                position = body.tell()
            except OSError:
                position = None

        def retry_if_refused(response: Response, **kwargs: Any) -> Response:
            return self._retry(header, position, response, **kwargs)

        r.register_hook("response", retry_if_refused)
        return r

    def _retry(
        self, sent: str, position: int | None, response: Response, **kwargs: Any
    ) -> Response:
        if not self.client.is_refused(response.status_code, lambda: response.content):
            return response
        request = response.request
        body: Any = request.body
        if body is not None and not isinstance(body, (bytes, str)):
            if position is None:
                return response
            body.seek(position)
        self.client.invalidate(sent)
        fresh = self.client.authorization_header()
        # Release the connection for the resend, as requests' own digest authentication does.
        _ = response.content
        response.close()
        again = request.copy()
        cookies: Any = getattr(again, "_cookies", None)
        if cookies is not None:
            extract_cookies_to_jar(cookies, request, response.raw)
            again.prepare_cookies(cookies)
        again.headers["Authorization"] = fresh
        connection: Any = response.connection
        answer: Response = connection.send(again, **kwargs)
        answer.history.append(response)
        answer.request = again
        return answer

    def __repr__(self) -> str:
        return f"RequestsAuth({self.client!r})"


def sign(client: Client, request: Any) -> Any:
    """``Client.__call__``: signs a ``requests`` request; refuses other libraries' requests."""
    if not isinstance(request, PreparedRequest):
        raise TypeError(
            "an authtoken.Client signs requests' requests (auth=client); for httpx pass"
            " auth=authtoken.HttpxAuth(client), so that a 401 logs in again and resends"
        )
    return RequestsAuth(client)(request)
