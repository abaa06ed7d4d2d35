"""Response headers: a read-only, case-insensitive mapping."""

from __future__ import annotations

from typing import Iterable, Iterator, Mapping


class Headers(Mapping[str, str]):
    """The headers of a :class:`~authtoken.Response`.

    Look-ups ignore case (``headers["Content-Type"]`` and ``headers["content-type"]`` are the
    same). A header sent more than once maps to its values joined with ``", "``, as in requests
    and httpx; :meth:`get_list` returns them one by one, and :meth:`multi_items` returns every
    ``(name, value)`` pair in the order received. Immutable, so safe to share between threads.
    """

    __slots__ = ("_index", "_items")

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = [(str(k), str(v)) for k, v in items]
        index: dict[str, list[str]] = {}
        for name, value in self._items:
            index.setdefault(name.lower(), []).append(value)
        self._index = index

    def __getitem__(self, name: str) -> str:
        try:
            return ", ".join(self._index[name.lower()])
        except (KeyError, AttributeError):
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def get_list(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in the order received."""
        return list(self._index.get(name.lower(), ()))

    def multi_items(self) -> list[tuple[str, str]]:
        """Every ``(name, value)`` pair, names in lower case, in the order received."""
        return list(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        try:
            theirs = {str(k).lower(): str(v) for k, v in other.items()}
        except (TypeError, ValueError):
            return False
        return theirs == {k: ", ".join(v) for k, v in self._index.items()}

    __hash__ = None  # type: ignore[assignment]  # mutable-looking mapping: unhashable, like dict

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"
