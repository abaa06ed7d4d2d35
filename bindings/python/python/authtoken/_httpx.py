"""Signing for ``httpx``: ``httpx.Client(auth=HttpxAuth(client))`` (sync and async)."""

from __future__ import annotations

from typing import AsyncGenerator, Generator

import anyio.to_thread
import httpx

from ._authtoken import Client


class HttpxAuth(httpx.Auth):
    """An ``httpx`` authentication flow backed by an :class:`authtoken.Client`.

    Sets the ``Authorization`` header from the client's token (logging in only when there is
    no valid token). When the server refuses it (401, or Testpress' 403 for a bad JWT), the
    token is replaced once (one login however many tasks, threads and processes see the
    refusal) and the request is sent again. A second refusal is returned as it is.

    Works with ``httpx.Client`` and ``httpx.AsyncClient``; in async code the calls that may
    log in run in a worker thread, so the event loop never blocks on the network. Raises
    ``InvalidArgumentError`` for a URL of another origin than the client's, and the client's
    login errors.
    """

    requires_request_body = True

    def __init__(self, client: Client) -> None:
        self.client = client

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.client.check_url(str(request.url))
        header = self.client.authorization_header()
        request.headers["Authorization"] = header
        response = yield request
        if self.client.is_refused(response.status_code, response.read):
            self.client.invalidate(header)
            request.headers["Authorization"] = self.client.authorization_header()
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        self.client.check_url(str(request.url))
        await request.aread()
        header = await anyio.to_thread.run_sync(self.client.authorization_header)
        request.headers["Authorization"] = header
        response = yield request
        refused = self.client.is_refused(response.status_code)
        if refused is None:  # the core needs the body to decide: read it without blocking
            await response.aread()
            refused = self.client.is_refused(response.status_code, response.content)
        if refused:
            await anyio.to_thread.run_sync(self.client.invalidate, header)
            request.headers["Authorization"] = await anyio.to_thread.run_sync(
                self.client.authorization_header
            )
            yield request

    def __repr__(self) -> str:
        return f"HttpxAuth({self.client!r})"
