"""Route a recording by its title prefix and match it to exactly one course.

Rules (specs/kontur-recordings.md): strip a known prefix from the title (else
the default prefix applies), take the root category from the prefix routes
(else the default category), then match the rest of the title to exactly one
course in that category's subtree, by shortname first and then by fullname,
after normalisation (case, `ё`→`е`, spaces, punctuation). No match or several
matches are reported, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from include.feed_schema import collapse_spaces

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# A prefix is followed by a separator or written in brackets: "ЕГЭ: …", "[ПО] …", "СПО - …"
_SEPARATORS = " \t:;|/\\-–—.,"


def normalise_title(text: str) -> str:
    """Case-folded, `ё`→`е`, punctuation as spaces, single spaces, trimmed."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold().replace("ё", "е")
    return " ".join(_NOT_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class Route:
    prefix: str  # the prefix the title carried, or the default prefix
    explicit: bool  # True when the title itself carried the prefix
    category_id: int  # root category of the course search
    rest: str  # the title without its prefix


def split_prefix(title: str, prefixes: list[str]) -> tuple[str | None, str]:
    """(`prefix`, rest) when the title starts with a known prefix, else (None, title).
    The title is compared as Moodle compares names: trimmed, every run of whitespace
    (tabs, no-break spaces, line breaks) one space, case ignored."""
    stripped = collapse_spaces(str(title or ""))
    for prefix in sorted(prefixes, key=len, reverse=True):
        for opening, closing in (("[", "]"), ("(", ")"), ("", "")):
            head = f"{opening}{collapse_spaces(prefix)}{closing}"
            if not stripped.casefold().startswith(head.casefold()):
                continue
            tail = stripped[len(head) :]
            if closing or not tail or tail[0] in _SEPARATORS:
                return prefix, tail.lstrip(_SEPARATORS).strip()
    return None, stripped


def route_title(
    title: str, prefix_routes: dict[str, int], default_prefix: str, default_category_id: int
) -> Route:
    """The prefix route of a title; the default prefix and category when none matches."""
    prefix, rest = split_prefix(title, list(prefix_routes))
    if prefix is not None:
        return Route(prefix, True, prefix_routes[prefix], rest)
    category = prefix_routes.get(default_prefix, default_category_id)
    return Route(default_prefix, False, category, rest)


def subtree_ids(categories: pd.DataFrame, root_id: int) -> set[int]:
    """The root category and every category below it (Moodle's `path` is `/1/5/9`)."""
    marker = f"/{int(root_id)}/"
    paths = categories["path"].astype(str) + "/"
    return set(categories.loc[paths.str.contains(marker, regex=False), "id"].astype(int))


@dataclass(frozen=True)
class Match:
    status: str  # matched | unmatched | ambiguous
    course_id: int | None
    matched_by: str | None  # shortname | fullname
    candidates: tuple[int, ...] = ()


class CourseIndex:
    """Courses by normalised shortname and fullname, per category subtree."""

    def __init__(self, categories: pd.DataFrame, courses: pd.DataFrame) -> None:
        self.categories = categories
        self.courses = courses.assign(
            short_norm=courses["shortname"].map(normalise_title),
            full_norm=courses["fullname"].map(normalise_title),
        )
        self._by_root: dict[int, tuple[dict, dict]] = {}

    def _index(self, root_id: int) -> tuple[dict, dict]:
        if root_id not in self._by_root:
            inside = self.courses[
                self.courses["category"].isin(subtree_ids(self.categories, root_id))
            ]
            short: dict[str, list[int]] = {}
            full: dict[str, list[int]] = {}
            for row in inside.itertuples(index=False):
                short.setdefault(row.short_norm, []).append(int(row.id))
                full.setdefault(row.full_norm, []).append(int(row.id))
            self._by_root[root_id] = (short, full)
        return self._by_root[root_id]

    def match(self, root_id: int, rest: str) -> Match:
        key = normalise_title(rest)
        if not key:
            return Match("unmatched", None, None)
        short, full = self._index(root_id)
        for matched_by, table in (("shortname", short), ("fullname", full)):
            ids = sorted(set(table.get(key, [])))
            if len(ids) == 1:
                return Match("matched", ids[0], matched_by, tuple(ids))
            if len(ids) > 1:
                return Match("ambiguous", None, matched_by, tuple(ids))
        return Match("unmatched", None, None)


PLAN_COLUMNS = [
    "recording_key",
    "recording_id",
    "title",
    "created_date",
    "local_date",
    "prefix",
    "category_id",
    "status",
    "reason",
    "course_id",
    "matched_by",
    "activity_name",
    "viewer_url",
]


def plan_publication(
    recordings: pd.DataFrame,
    categories: pd.DataFrame,
    courses: pd.DataFrame,
    *,
    prefix_routes: dict[str, int],
    default_prefix: str,
    default_category_id: int,
    threshold_date: str | None,
    timezone: str,
    viewer_url: callable,
) -> pd.DataFrame:
    """One row per candidate recording: `status` is `publish`, `unmatched`,
    `ambiguous` or `before_threshold`, with a readable `reason`.

    `recordings` has key, id, title, created_date (UTC, naive), room_name;
    `viewer_url(row_dict)` builds the link.
    """
    index = CourseIndex(categories, courses)
    known_categories = set(categories["id"].astype(int))
    rows = []
    ordered = recordings.sort_values(["created_date", "key"])
    local_dates = (
        pd.to_datetime(ordered["created_date"])
        .dt.tz_localize("UTC")
        .dt.tz_convert(timezone)
        .dt.strftime("%Y-%m-%d")
    )
    for rec, local_date in zip(ordered.to_dict("records"), local_dates, strict=True):
        route = route_title(rec["title"], prefix_routes, default_prefix, default_category_id)
        row = {
            "recording_key": rec["key"],
            "recording_id": rec["id"],
            "title": rec["title"],
            "created_date": rec["created_date"],
            "local_date": local_date,
            "prefix": route.prefix,
            "category_id": route.category_id,
            "course_id": None,
            "matched_by": None,
            "activity_name": (
                f"Запись занятия: {route.rest or collapse_spaces(rec['title'])}, {local_date}"
            ),
            "viewer_url": viewer_url(rec),
        }
        if threshold_date and local_date < threshold_date:
            row |= {"status": "before_threshold", "reason": f"created before {threshold_date}"}
        elif route.category_id not in known_categories:
            row |= {
                "status": "unmatched",
                "reason": f"category {route.category_id} of prefix {route.prefix!r} does not exist",
            }
        else:
            match = index.match(route.category_id, route.rest)
            row["matched_by"] = match.matched_by
            if match.status == "matched":
                row |= {"status": "publish", "reason": "", "course_id": match.course_id}
            elif match.status == "ambiguous":
                row |= {
                    "status": "ambiguous",
                    "reason": f"{len(match.candidates)} courses share the {match.matched_by} "
                    f"{route.rest!r} in category {route.category_id}: {list(match.candidates)}",
                }
            else:
                row |= {
                    "status": "unmatched",
                    "reason": f"no course named {route.rest!r} in category {route.category_id}",
                }
        rows.append(row)
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def viewer_url_builder(template: str, base_url: str):
    """`row -> link` from the setting's template over the entity's fields."""

    def build(rec: dict) -> str:
        return template.format(
            base_url=base_url.rstrip("/"),
            id=rec.get("id", ""),
            key=rec.get("key", ""),
            title=rec.get("title", ""),
            roomName=rec.get("room_name", ""),
        )

    return build
