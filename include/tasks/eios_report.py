"""eios_sync's run report: counts, status and summary from the history CSV's outcomes,
the project database's pending held actions and open feed rejects, and the decision on
the held faculties; and what makes a run end visibly held. Used by the last tasks of
include/tasks/eios_sync.py."""

from __future__ import annotations

import logging

from include.eios.approval import approval_counts, approval_text
from include.feed_rejects import open_rejects_text
from include.tasks.eios_state import open_feed_rejects, pending_held_actions

log = logging.getLogger(__name__)


def run_report(
    dry_run: bool, history: dict | None, faculties: list[dict], approval: dict | None
) -> tuple[str, dict, dict, str]:
    """(summary, counts, outputs, status) of the run; status `held` or `failed` when
    anything was held or failed; who released which held faculties, and when."""
    from include.reporting import plural

    outcomes = history.get("outcomes", {}) if history else {}
    pending = pending_held_actions()
    still_open = open_feed_rejects()
    held = outcomes.get("held", 0)
    failed = outcomes.get("failed", 0)
    synced = history.get("faculties", []) if history else []
    not_synced = sorted({f["id"] for f in faculties or []} - set(synced))
    counts = {
        "faculties_synced": len(synced),
        "faculties_not_synced": not_synced,
        **outcomes,
        "held_pending_total": len(pending),
        "open_feed_rejects": sum(still_open.values()),
        **approval_counts(approval),
    }
    status = "held" if held else ("failed" if failed or not_synced else "success")
    summary = (
        f"{'DRY RUN: ' if dry_run else ''}{plural(outcomes.get('applied', 0), 'change')} applied, "
        f"{outcomes.get('planned', 0)} planned, {held} held, {failed} failed, "
        f"{outcomes.get('reported', 0)} missing in EIOS"
        + (f"; NOT SYNCED (see check_quality): {', '.join(not_synced)}" if not_synced else "")
        + (f"; {open_rejects_text(still_open)}" if still_open else "")
        + approval_text(approval)
    )
    outputs = {"history_csv": history.get("history") if history else None}
    return summary, counts, outputs, status


def visible_problems(counts: dict) -> list[str]:
    """What makes the run end visibly held: failed rows, a faculty not synced, actions the
    guard held that nobody decided on. Faculties a person chose to keep held are a
    decision, not a problem: logged, and asked again next run."""
    held, failed = counts.get("held", 0), counts.get("failed", 0)
    not_synced = counts.get("faculties_not_synced") or []
    if held and counts.get("approval") == "answered":
        log.warning(
            "%d leaving action(s) stay held by decision of %s (faculties %s); the next run "
            "asks again",
            held,
            counts.get("approved_by"),
            ", ".join(counts.get("kept_held") or []) or "none",
        )
        held = 0
    problems = []
    if held:
        problems.append(
            f"HELD: {held} leaving action(s) held by the mass-graduation guard and no "
            "answer to decide_held_faculties (Airflow's Required actions; table "
            "eios_held_action); the next run asks again, or the param "
            "confirm_mass_graduation releases a faculty"
        )
    if failed:
        problems.append(f"FAILED: {failed} action(s) failed; the next run retries them")
    if not_synced:
        problems.append(
            f"NOT SYNCED: faculties {', '.join(not_synced)} (quality gate or a failed task)"
        )
    return problems
