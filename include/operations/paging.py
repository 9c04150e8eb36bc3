"""Paging for the operations pages: every list is read one page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50


@dataclass(frozen=True)
class PageRequest:
    """Page number (1-based) and size, clamped to sane bounds."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def of(cls, page: Any = 1, per_page: Any = DEFAULT_PER_PAGE) -> PageRequest:
        try:
            number = max(1, int(page))
        except (TypeError, ValueError):
            number = 1
        try:
            size = min(MAX_PER_PAGE, max(1, int(per_page)))
        except (TypeError, ValueError):
            size = DEFAULT_PER_PAGE
        return cls(number, size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def sql_params(self) -> dict[str, int]:
        """`limit` asks for one row more than shown: it tells whether a next page exists."""
        return {"limit": self.per_page + 1, "offset": self.offset}


@dataclass
class Page:
    items: list[Any]
    request: PageRequest
    has_next: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.request.page > 1

    @property
    def number(self) -> int:
        return self.request.page

    @classmethod
    def from_rows(cls, rows: list[Any], request: PageRequest) -> Page:
        """Rows fetched with `request.sql_params()` (one extra row at most)."""
        rows = list(rows)
        return cls(rows[: request.per_page], request, len(rows) > request.per_page)

    @classmethod
    def slice(cls, items: list[Any], request: PageRequest) -> Page:
        """A page of an in-memory list (file names of one store folder)."""
        window = items[request.offset : request.offset + request.per_page + 1]
        return cls.from_rows(window, request)


def paged_sql(sql: str) -> str:
    """The query with the page window appended (kept out of the SQL files so that
    sqlfluff's placeholder templater can parse them)."""
    return f"{sql.rstrip().rstrip(';')}\nLIMIT %(limit)s OFFSET %(offset)s"
