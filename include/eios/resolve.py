"""`resolve_feeds`: one row per student across every faculty's feed (a pure rule).

A student who transfers between faculties is listed by both on the same day: the
old faculty says `expelled`, the new one `studying`. Planned per faculty, each
branch undid the other's change every run. The rule, applied to every faculty's
accepted rows before anything is planned:

1. the row with the latest `changed_at` wins;
2. on a tie, a `studying` row beats a leaving one (`expelled`, `academic_leave`,
   `graduated`): a transfer is recorded in both systems at the same moment, and
   cutting a student's access on a tie is the worse mistake;
3. a tie past that (same moment, both studying or both leaving) goes to the faculty
   whose id sorts first, so the answer is the same on every run.

The losing rows are kept per faculty as `superseded`: they plan nothing, but they
were read, so they move their faculty's watermark as any other row does.
"""

from __future__ import annotations

from include.eios.quality import parse_changed_at


def _rank(row: dict) -> tuple:
    return (parse_changed_at(row["changed_at"]), row["status"] == "studying")


def resolve_feeds(
    feeds: dict[str, list[dict]],
) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """(winning rows per faculty, superseded rows per faculty), each in feed order.

    `feeds`: every faculty's accepted rows (one row per student within a faculty: the
    quality gate rejects a student id repeated in one feed)."""
    best: dict[str, tuple[tuple, str]] = {}
    for faculty_id in sorted(feeds):  # a full tie stays with the first faculty
        for row in feeds[faculty_id]:
            sid = str(row["student_id"])
            rank = _rank(row)
            if sid not in best or rank > best[sid][0]:
                best[sid] = (rank, faculty_id)
    winners: dict[str, list[dict]] = {f: [] for f in feeds}
    superseded: dict[str, list[dict]] = {f: [] for f in feeds}
    for faculty_id, rows in feeds.items():
        for row in rows:
            side = winners if best[str(row["student_id"])][1] == faculty_id else superseded
            side[faculty_id].append(row)
    return winners, superseded


def claimed_by(rosters: dict[str, set[str]], winners: dict[str, list[dict]]) -> dict[str, str]:
    """student id → the faculty the student belongs to in this run: the winning row's
    faculty, else (a student whose rows were all rejected) the first faculty listing it."""
    owner: dict[str, str] = {}
    for faculty_id in sorted(rosters):
        for sid in rosters[faculty_id]:
            owner.setdefault(sid, faculty_id)
    for faculty_id, rows in winners.items():
        for row in rows:
            owner[str(row["student_id"])] = faculty_id
    return owner
