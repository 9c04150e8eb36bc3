"""Which date, which quizzes, which attempts: the selection rules of `exam_archive`."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UNFINISHED_STATES = ("inprogress", "overdue", "abandoned")


def target_date(logical_date: datetime, timezone: str, requested: str | date | None = None) -> date:
    """The date a run archives: the `date` param if given, else the day before the
    run's logical date in the university's time zone (a 03:00 run archives yesterday)."""
    if requested:
        return requested if isinstance(requested, date) else date.fromisoformat(str(requested))
    return logical_date.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def day_window(day: date, timezone: str) -> tuple[int, int]:
    """[start, end) of the local day as unix seconds (23 or 25 hours on a DST change)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return int(start.timestamp()), int(end.timestamp())


def archive_run(logical_date: datetime, timezone: str, requested: str | date | None = None) -> dict:
    """What one run archives: the date (`target_date`), its zone and its window
    [start, end) in unix seconds; a small dict every later task receives."""
    day = target_date(logical_date, timezone, requested)
    start, end = day_window(day, timezone)
    return {"date": day.isoformat(), "timezone": timezone, "start": start, "end": end}


def category_ids_with_descendants(categories, roots: list[int]) -> set[int]:
    """`roots` and every category below them (Moodle's `path` is `/1/5/12`)."""
    wanted = {int(r) for r in roots}
    found = set()
    for row in categories.itertuples(index=False):
        parts = {int(p) for p in str(row.path).strip("/").split("/") if p}
        if parts & wanted:
            found.add(int(row.id))
    return found


def select_exam_quizzes(
    quizzes, categories, name_pattern: str, category_ids: list[int], combine: str
):
    """The quizzes that are exams: name matches the pattern and/or the course is in the
    categories. A condition left empty ('' pattern, no categories) is not applied; with
    neither condition set no quiz is an exam."""
    tests = []
    if name_pattern:
        regex = re.compile(name_pattern, re.IGNORECASE)
        tests.append(quizzes["quiz_name"].map(lambda n: bool(regex.search(str(n)))))
    if category_ids:
        allowed = category_ids_with_descendants(categories, category_ids)
        tests.append(quizzes["category_id"].astype(int).isin(allowed))
    if not tests:
        return quizzes.iloc[0:0]
    mask = tests[0].astype(bool)  # an empty day's mask is object-typed: pandas would read
    for extra in tests[1:]:  # it as a list of column labels and drop every column
        mask = (mask | extra) if combine == "or" else (mask & extra)
    return quizzes[mask].sort_values(["course_shortname", "quiz_id"]).reset_index(drop=True)


def finished_on(attempts, start: int, end: int):
    """Attempts archived for the day: finished, not a preview, timefinish in [start, end)."""
    mask = (
        (attempts["state"] == "finished")
        & (attempts["preview"].astype(int) == 0)
        & (attempts["timefinish"].astype(int) >= start)
        & (attempts["timefinish"].astype(int) < end)
    )
    return attempts[mask]


def day_counts(attempts, start: int, end: int) -> dict[str, int]:
    """What the run's report counts besides the archived attempts."""
    real = attempts[attempts["preview"].astype(int) == 0]
    started = real[(real["timestart"].astype(int) >= start) & (real["timestart"].astype(int) < end)]
    counts = {
        "finished": len(finished_on(attempts, start, end)),
        # the extract query reads attempts started or finished in the window
        "previews_ignored": int((attempts["preview"].astype(int) != 0).sum()),
    }
    for state in UNFINISHED_STATES:
        counts[state] = int((started["state"] == state).sum())
    return counts


def render_batches(quizzes: list[dict], attempts_per_task: int) -> list[dict]:
    """The day's quizzes (`{"quiz_id", "course_shortname", "attempts", ...}`, in order)
    grouped into render tasks of at most `attempts_per_task` attempts (a quiz bigger than
    that is a task of its own; a quiz is never split): `{"quizzes", "attempts", "label"}`."""
    batches: list[dict] = []
    for quiz in quizzes:
        if not batches or batches[-1]["attempts"] + quiz["attempts"] > attempts_per_task:
            batches.append({"quizzes": [], "attempts": 0})
        batches[-1]["quizzes"].append(quiz)
        batches[-1]["attempts"] += int(quiz["attempts"])
    for batch in batches:
        first, last = batch["quizzes"][0], batch["quizzes"][-1]
        label = f"{first['course_shortname']} / {first['quiz_id']}"
        if len(batch["quizzes"]) > 1:
            label += f" … {last['course_shortname']} / {last['quiz_id']}"
        batch["label"] = f"{label} ({len(batch['quizzes'])} q, {batch['attempts']} attempts)"
    return batches
