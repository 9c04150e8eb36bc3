"""eios_sync's quality gate and plan: one faculty's extract checked (schema, row rules,
reject share, a GX suite on the accepted rows), then one plan for every faculty, each
student planned once across all of them (include/eios/resolve.py), diffed against
Moodle's state. Used by the tasks of include/tasks/eios_sync.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from include.config import EiosSyncSettings
from include.eios.feed import student_key
from include.eios.plan import plan_sync
from include.eios.quality import check_extract, moodle_refusals, parse_changed_at, reject_summary
from include.eios.resolve import claimed_by, resolve_feeds
from include.eios.usernames import render_username
from include.tasks.eios_state import (
    moodle_db,
    read_json,
    record_feed_rejects,
    settings_from,
    work,
    write_json,
    write_rejects,
)

log = logging.getLogger(__name__)


# --- one faculty's quality gate --------------------------------------------------------


def check_faculty(extracted: dict, config: dict) -> dict:
    """The schema, then the row rules → rejects file and `feed_reject`; above the reject
    share a DataQualityError; a GX suite on the accepted rows."""
    import pandas as pd

    from include.eios.quality import accepted_expectations
    from include.quality import DataQualityError, check_frame, require

    settings = settings_from(config["settings"])
    items = read_json(extracted["extract"])
    now = datetime.now(UTC).replace(tzinfo=None)
    accepted, rejects = check_extract(
        items, extracted["id"], settings.group_code_pattern, settings.username_template, now
    )
    rejects_path = write_rejects(config, extracted["id"], rejects) if rejects else None
    was_open, recorded, still_open = record_feed_rejects(
        extracted["id"],
        rejects,
        config["run"]["run_id"],
        resolved_keys=[student_key(extracted["id"], row) for row in accepted],
    )
    summary = reject_summary(rejects, len(items), extracted["id"])
    if items and 100 * len(rejects) / len(items) > settings.reject_share_max_pct:
        raise DataQualityError(
            f"{summary}; more than {settings.reject_share_max_pct:g} % rejected, the faculty is "
            f"not synced in this run. Rejects: {rejects_path}"
        )
    if accepted:
        frame = pd.DataFrame(accepted)
        frame["username"] = [render_username(settings.username_template, i) for i in accepted]
        require(check_frame(frame, accepted_expectations(), f"eios_{extracted['id']}"))
    path = write_json(work(config["run"], extracted["id"], "accepted"), accepted)
    log.info(summary)
    return {
        **extracted,
        "accepted": path,
        "accepted_rows": len(accepted),
        "rejected_rows": len(rejects),
        "rejects_recorded": recorded,
        # rejected before, valid now: planned even below the watermark (see plan_sync)
        "fixed_ids": [
            str(row["student_id"])
            for row in accepted
            if student_key(extracted["id"], row) in was_open
        ],
        "open_feed_rejects": still_open,
        "rejects": rejects_path,
    }


def roster_ids(extract_path: str) -> set[str]:
    """Every student id a faculty's extract lists (rejected rows too), as text."""
    ids = set()
    for item in read_json(extract_path):
        if isinstance(item, dict) and isinstance(item.get("student_id"), str | int):
            ids.add(str(item["student_id"]).strip())
    return ids


# --- one plan across the faculties ---------------------------------------------------


def plan_faculties(config: dict, faculties: list[dict], checked: list[dict]) -> list[dict]:
    """One entry per checked faculty (see the task `plan_changes`)."""
    settings = settings_from(config["settings"])
    done = {c["id"]: c for c in checked if c}
    accepted = {fid: read_json(c["accepted"]) for fid, c in sorted(done.items())}
    rosters = {fid: roster_ids(c["extract"]) for fid, c in done.items()}
    blocked: set[str] = set()
    for faculty in faculties:  # extracted but not checked: its rows are unknown
        if faculty["id"] in done:
            continue
        extract = work(config["run"], faculty["id"], "extract")
        if extract.exists():
            blocked |= roster_ids(str(extract))
    all_ids = set().union(*rosters.values(), blocked) if rosters or blocked else set()

    hook = moodle_db()
    try:
        users = hook.read_frame("eios_users", {}).to_dict("records")
        memberships = hook.read_frame("eios_group_cohorts", {}).to_dict("records")
        emails = (
            []
            if settings.allow_accounts_same_email
            else hook.read_frame("eios_user_emails", {}).to_dict("records")
        )
    finally:
        hook.close()
    for row in memberships:
        row["userid"] = (
            None if row["userid"] != row["userid"] or row["userid"] is None else int(row["userid"])
        )

    winners, superseded = resolve_feeds(accepted)
    moved = sum(len(rows) for rows in superseded.values())
    if moved:
        log.info("%d rows superseded by another faculty's row of the same student", moved)
    owner = claimed_by(rosters, winners)
    # every row's faculty_id is its feed's (a row rule): refusals are grouped by it
    kept, refused = moodle_refusals(
        [row for rows in winners.values() for row in rows],
        users,
        emails,
        settings.allow_accounts_same_email,
    )
    results = []
    for faculty_id, entry in sorted(done.items()):
        results.append(
            _plan_faculty(
                config,
                settings,
                entry,
                [r for r in kept if str(r["faculty_id"]) == faculty_id],
                [
                    {**r, "key": student_key(faculty_id, r), "field": "email"}
                    for r in refused
                    if str(r["faculty_id"]) == faculty_id
                ],
                superseded[faculty_id],
                SharedState(all_ids, owner, blocked, users, memberships),
            )
        )
    return results


@dataclass(frozen=True)
class SharedState:
    """What every faculty's plan shares: the run's rosters and Moodle's state."""

    all_ids: set[str]  # every student id of every extract
    owner: dict[str, str]  # student id → the faculty planning the student
    blocked: set[str]  # ids listed by a faculty that failed its check
    users: list[dict]
    memberships: list[dict]


def _plan_faculty(
    config: dict,
    settings: EiosSyncSettings,
    checked: dict,
    accepted: list[dict],
    refused: list[dict],
    superseded: list[dict],
    shared: SharedState,
) -> dict:
    """One faculty's part of the plan, staged in the store."""
    rejects_path = checked["rejects"]
    if refused:
        rejects_path = write_rejects(config, checked["id"], refused)
        log.warning(
            "faculty %s: %d rows Moodle would refuse, in the rejects file: %s",
            checked["id"],
            len(refused),
            reject_summary(refused, len(refused), checked["id"]).split(": ", 2)[-1],
        )
    lower = parse_changed_at(checked["lower_bound"]) if checked["lower_bound"] else None
    plan = plan_sync(
        accepted,
        shared.all_ids,
        shared.users,
        shared.memberships,
        faculty_id=checked["id"],
        faculty_name=checked["name"],
        lower_bound=lower,
        username_template=settings.username_template,
        auth=settings.auth,
        on_leave=settings.on_leave,
        limit=settings.per_faculty_limit,
        owner=shared.owner,
        superseded=superseded,
        blocked_ids=shared.blocked,
        fixed_ids=set(checked.get("fixed_ids") or ()),
    )
    path = write_json(
        work(config["run"], checked["id"], "plan"),
        {"actions": plan.actions, "missing": plan.missing},
    )
    counts: dict[str, int] = {}
    for action in plan.actions:
        counts[action["kind"]] = counts.get(action["kind"], 0) + 1
    log.info(
        "faculty %s plan: %s, %d missing in EIOS, %d rows superseded by another faculty",
        checked["id"],
        counts,
        len(plan.missing),
        len(superseded),
    )
    return {
        **checked,
        "rejects": rejects_path,
        "rejected_rows": checked["rejected_rows"] + len(refused),
        "plan": path,
        "planned": counts,
        "missing": len(plan.missing),
        "superseded": len(superseded),
        "deferred_students": plan.deferred_students,
        "active_in_moodle": plan.active_in_moodle,
        "leaving": plan.leaving,
        "watermark": plan.watermark,
    }
