"""Where a recording goes in its course: the recordings section, numbered ≥ `min_section`."""

from __future__ import annotations

from dataclasses import dataclass

from include.recordings.routing import normalise_title


@dataclass(frozen=True)
class Placement:
    section_number: int
    section_name: str
    create: bool  # the section does not exist yet and is created (at the end of the course)


def choose_section(sections: list[dict], min_section: int, section_name: str) -> Placement:
    """The section named `section_name` numbered ≥ `min_section` (the lowest such);
    else a new section with that name after the last one (and never below `min_section`).

    `sections`: the course's sections as dicts with `section` (number) and `name`.
    Teachers' own topic sections are never filled with recordings.
    """
    wanted = normalise_title(section_name)
    named = sorted(
        int(s["section"])
        for s in sections
        if int(s["section"]) >= min_section and normalise_title(s.get("name") or "") == wanted
    )
    if named:
        return Placement(named[0], section_name, False)
    last = max((int(s["section"]) for s in sections), default=0)
    return Placement(max(last + 1, min_section), section_name, True)


def place_courses(
    course_ids: list[int], sections: list[dict], min_section: int, section_name: str
) -> dict[int, Placement]:
    """`choose_section` for each course; `sections` holds every course's sections as dicts
    with `course`, `section` and `name`."""
    by_course: dict[int, list[dict]] = {course_id: [] for course_id in course_ids}
    for row in sections:
        if int(row["course"]) in by_course:
            by_course[int(row["course"])].append(row)
    return {
        course_id: choose_section(rows, min_section, section_name)
        for course_id, rows in by_course.items()
    }
