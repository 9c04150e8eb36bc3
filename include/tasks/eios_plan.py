"""eios_sync's quality gate and plan: every faculty's extract checked (schema, row rules,
reject share per faculty), one GX suite over all accepted rows, and one plan for every
faculty against one read of Moodle's state (one query for users, one for cohort
members) and one set-based diff (include/eios/site_plan.py). Used by the tasks of
include/tasks/eios_sync.py."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from include.eios.feed import student_key
from include.eios.quality import check_extract, parse_changed_at, reject_summary
from include.eios.site_plan import Faculty, plan_site
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
NOTHING = (None,)  # `IN (NULL)`: an empty list that matches nothing


# --- the quality gate, every faculty ------------------------------------------------------


def check_faculties(extracted: list[dict], config: dict) -> list[dict]:
    """Each extracted faculty checked on its own (rejects file, `feed_reject`; above the
    reject share it gets `quality_error` and is not synced). A faculty whose extract
    failed passes through with its `extract_error`. The GX suite over every faculty's
    accepted rows is `check_accepted_suite` (its own task, beside the plan)."""
    from include.quality import DataQualityError

    results = []
    for entry in extracted:
        if entry.get("extract_error"):
            results.append(entry)
            continue
        try:
            results.append(_check_faculty(entry, config))
        except DataQualityError as exc:
            log.error("faculty %s is not synced in this run: %s", entry["id"], exc)
            results.append({**entry, "quality_error": str(exc)})
    return results


def check_accepted_suite(checked: list[dict], config: dict) -> dict:
    """One GX suite over every checked faculty's accepted rows (staged by
    `check_faculties`); blocking: a failure raises DataQualityError."""
    import pandas as pd

    from include.eios.quality import accepted_expectations
    from include.eios.usernames import render_username
    from include.quality import check_frame, require

    template = settings_from(config["settings"]).username_template
    frames = []
    for entry in checked:
        if not entry.get("accepted_rows"):
            continue
        accepted = read_json(entry["accepted"])
        frame = pd.DataFrame(accepted)
        frame["username"] = [render_username(template, i) for i in accepted]
        frames.append(frame[["faculty_id", "student_id", "username", "status"]])
    if not frames:
        return {"suite": "eios_accepted", "rows": 0}
    frame = pd.concat(frames, ignore_index=True)
    report = require(check_frame(frame, accepted_expectations(), "eios_accepted"))
    log.info(report.summary())
    return {"suite": report.suite, "rows": report.rows}


def _check_faculty(extracted: dict, config: dict) -> dict:
    """One faculty: schema, row rules -> rejects file and `feed_reject`; above the reject
    share a DataQualityError. Stages the accepted rows and the roster's ids."""
    from include.quality import DataQualityError

    settings = settings_from(config["settings"])
    items = read_json(extracted["extract"])
    write_json(work(config["run"], extracted["id"], "roster"), sorted(_roster_ids(items)))
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
    path = write_json(work(config["run"], extracted["id"], "accepted"), accepted)
    log.info(summary)
    checked = {
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
    return checked


def _roster_ids(items: list) -> set[str]:
    """Every student id a faculty's extract lists (rejected rows too), as text."""
    ids = set()
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("student_id"), str | int):
            ids.add(str(item["student_id"]).strip())
    return ids


# --- one plan across the faculties ---------------------------------------------------


def read_moodle_state(
    student_ids: set[str], departments: set[str], emails: set[str]
) -> tuple[list[dict], list[dict], list[dict]]:
    """(EIOS users, group cohort memberships, accounts owning an e-mail to be sent):
    Moodle's state in two queries, filtered to the run's students, departments and
    e-mails (sql/moodle/eios_users.sql, eios_group_cohorts.sql)."""
    hook = moodle_db()
    try:
        rows = hook.read_frame(
            "eios_users",
            {
                "user_ids": NOTHING,
                "student_ids": tuple(sorted(student_ids)) or NOTHING,
                "departments": tuple(sorted(departments)) or NOTHING,
                "emails": tuple(sorted(emails)) or NOTHING,
            },
        ).to_dict("records")
        users = [
            r
            for r in rows
            if not int(r["deleted"])
            and r["idnumber"]
            and (r["idnumber"] in student_ids or r["department"] in departments)
        ]
        user_ids = tuple(sorted(int(u["id"]) for u in users)) or NOTHING
        memberships = hook.read_frame("eios_group_cohorts", {"user_ids": user_ids})
    finally:
        hook.close()
    memberships = memberships.to_dict("records")
    for row in memberships:  # an empty cohort's NULL userid: None, or NaN beside numbers
        userid = row["userid"]
        row["userid"] = None if userid is None or userid != userid else int(userid)
    return users, memberships, [r for r in rows if r["email"]]


def plan_faculties(config: dict, checked: list[dict]) -> list[dict]:
    """One entry per checked faculty (see the task `plan_changes`)."""
    from include.eios.moodle_rules import email_key

    settings = settings_from(config["settings"])
    done = sorted((c for c in checked if _synced(c)), key=lambda c: c["id"])
    accepted = {c["id"]: read_json(c["accepted"]) for c in done}
    rosters = {c["id"]: set(read_json(_roster(config, c))) for c in done}
    blocked: set[str] = set()
    for entry in checked:  # extracted but not accepted: its rows are unknown
        if entry.get("quality_error"):
            blocked |= set(read_json(_roster(config, entry)))
    emails = set()
    if not settings.allow_accounts_same_email:
        emails = {
            email_key(str(r["email"]).strip())
            for rows in accepted.values()
            for r in rows
            if r.get("email") and str(r["email"]).strip()
        }
    users, memberships, owners = read_moodle_state(
        set().union(*rosters.values(), blocked), {c["name"] for c in done}, emails
    )
    faculties = [
        Faculty(
            c["id"],
            c["name"],
            parse_changed_at(c["lower_bound"]) if c["lower_bound"] else None,
            frozenset(c.get("fixed_ids") or ()),
        )
        for c in done
    ]
    plans, unchanged = plan_site(
        faculties,
        accepted,
        rosters,
        users,
        memberships,
        owners,
        blocked=blocked,
        username_template=settings.username_template,
        auth=settings.auth,
        on_leave=settings.on_leave,
        limit=settings.per_faculty_limit,
        allow_same_email=settings.allow_accounts_same_email,
    )
    log.info(
        "%d faculties planned against %d Moodle users; %d students already as EIOS wants",
        len(done),
        len(users),
        unchanged,
    )
    return [_staged(config, entry, plans[entry["id"]]) for entry in done]


def _synced(entry: dict) -> bool:
    return not entry.get("extract_error") and not entry.get("quality_error")


def _roster(config: dict, entry: dict) -> str:
    return str(work(config["run"], entry["id"], "roster"))


def _staged(config: dict, checked: dict, part) -> dict:
    """One faculty's part of the plan, staged in the store."""
    plan, refused, superseded = part.plan, part.refused, part.superseded
    rejects_path = checked["rejects"]
    if refused:
        refused = [{**r, "key": student_key(checked["id"], r), "field": "email"} for r in refused]
        rejects_path = write_rejects(config, checked["id"], refused)
        log.warning(
            "faculty %s: %d rows Moodle would refuse, in the rejects file: %s",
            checked["id"],
            len(refused),
            reject_summary(refused, len(refused), checked["id"]).split(": ", 2)[-1],
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
        "actions": len(plan.actions),
        "leaving_actions": sum(1 for a in plan.actions if a["leaving"]),
        "missing": len(plan.missing),
        "superseded": len(superseded),
        "deferred_students": plan.deferred_students,
        "active_in_moodle": plan.active_in_moodle,
        "leaving": plan.leaving,
        "watermark": plan.watermark,
    }
