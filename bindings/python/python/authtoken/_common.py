"""What the HTTP-library adapters share: the origin rule and what counts as a refused token."""

from __future__ import annotations

import json
from typing import Callable
from urllib.parse import urlsplit

from ._authtoken import Client, InvalidArgumentError

# The messages a Testpress (JWT) view sends, with 403, for a token it will not accept.
_JWT_REJECTIONS = frozenset(
    {"Invalid signature.", "Signature has expired.", "Error decoding signature."}
)


def check_origin(client: Client, url: str) -> None:
    """Raises ``InvalidArgumentError`` unless ``url`` has the client's origin.

    The Authorization header is never sent to another scheme, host or port.
    """
    if not client.same_origin(url):
        parts = urlsplit(url)
        raise InvalidArgumentError(
            f"refusing to send the Authorization header to {parts.scheme}://{parts.hostname or ''}:"
            f" this client is for {client.base_url}"
        )


def is_refused(client: Client, status: int, body: Callable[[], bytes]) -> bool:
    """Whether a response says the token was refused: 401, or Testpress' 403 for a bad JWT."""
    if status == 401:
        return True
    if status != 403 or client.provider != "testpress":
        return False
    try:
        detail = json.loads(body()).get("detail")
    except (ValueError, AttributeError):
        return False
    return detail in _JWT_REJECTIONS
