"""Bounded paging: the one loop every connector follows a paged list with.

A page is fetched with the previous page's token (a cursor string or an offset)
and must be a JSON object holding a list of items and the next token. The loop
ends normally when a page carries no next token, and ends with `PagingError`,
naming the token and the page count, when

- a token comes back that was already followed (a repeated or cyclic token:
  the API would answer the same pages forever),
- a page with no item still carries a token (it cannot be making progress),
- there would be more than `max_pages` pages (the setting's bound).

A page that is not an object, lacks the items list or holds a token of the
wrong type fails with `FeedShapeError` and an excerpt of the system's own
answer. Both are final answers (retrying the same request cannot change them),
so they are not the hooks' `unavailable` errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

# The default bound: a thousand pages is far past any feed's real size at its
# default page size (a poll of Kontur.Talk reads one or two pages of 500; the
# largest registry list, 10^6 vouchers, is 20 pages of 50 000), and stops a
# runaway loop within minutes instead of letting it fill the worker's memory.
DEFAULT_MAX_PAGES = 1000


class PagingError(RuntimeError):
    """A paged list did not end: a repeated token, an empty page with a token, too many pages."""


class FeedShapeError(RuntimeError):
    """A page is not the object the API promises (items list + next token)."""


def excerpt(value: Any, limit: int = 300) -> str:
    """A short, single-line text of an answer or a token for an error message."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def follow_pages(
    fetch: Callable[[Any], Any],
    *,
    system: str,
    endpoint: str,
    items_key: str,
    token_key: str,
    max_pages: int = DEFAULT_MAX_PAGES,
    first_token: Any = None,
) -> Iterator[list]:
    """Yield each page's items, following `token_key` until a page has none.

    `fetch(token)` returns one decoded page; the first call gets `first_token`.
    An empty string and `None` both mean "no next page".
    """
    if max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    followed = {_hashable(first_token)}
    token, pages = first_token, 0
    while True:
        page = fetch(token)
        pages += 1
        items, next_token = _unpack(page, system, endpoint, items_key, token_key, pages)
        yield items
        if next_token is None or next_token == "":
            return
        where = f"{system} {endpoint}: page {pages}"
        if not items:
            raise PagingError(
                f"{where} is empty but carries {token_key} {_shown(next_token)}: "
                f"the list does not advance; stopped after {pages} page(s)"
            )
        if _hashable(next_token) in followed:
            raise PagingError(
                f"{where} returns {token_key} {_shown(next_token)} again (a repeated or "
                f"cyclic token); stopped after {pages} page(s)"
            )
        if pages >= max_pages:
            raise PagingError(
                f"{where} still carries {token_key} {_shown(next_token)}: more than "
                f"max_pages = {max_pages} pages; stopped after {pages} page(s) (raise "
                "max_pages if the feed really is this long)"
            )
        followed.add(_hashable(next_token))
        token = next_token


def _shown(token: Any) -> str:
    """A token as an error message names it: quoted if text, cut to 80 characters."""
    return repr(excerpt(token, 80)) if isinstance(token, str) else excerpt(token, 80)


def _hashable(token: Any) -> Any:
    return token if isinstance(token, str | int | float | bool | type(None)) else repr(token)


def _unpack(
    page: Any, system: str, endpoint: str, items_key: str, token_key: str, number: int
) -> tuple[list, Any]:
    where = f"{system} {endpoint}: page {number}"
    if not isinstance(page, dict):
        raise FeedShapeError(
            f"{where} is not a JSON object with '{items_key}': {type(page).__name__} "
            f"{excerpt(page)}"
        )
    items = page.get(items_key)
    if items is None and items_key not in page:
        raise FeedShapeError(f"{where} has no '{items_key}' list: {excerpt(page)}")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise FeedShapeError(
            f"{where}: '{items_key}' is {type(items).__name__}, not a list: {excerpt(page)}"
        )
    token = page.get(token_key)
    if token is not None and (isinstance(token, bool) or not isinstance(token, str | int)):
        raise FeedShapeError(
            f"{where}: '{token_key}' is {type(token).__name__}, not a token: {excerpt(page)}"
        )
    return items, token
