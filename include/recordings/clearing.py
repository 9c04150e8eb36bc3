"""What becomes of a clearing of `kontur_recordings` (the journal, old activities) from
its plan and the person's answer. Pure, no Airflow."""

from __future__ import annotations


def answer_outcome(plan: dict, approval: dict | None, timeout: str) -> tuple[bool, str]:
    """(clear?, what the report says) from the plan and the decision's result (None: the
    decision was skipped, i.e. not asked or not answered in time)."""
    if not plan.get("ask"):
        return False, plan.get("outcome", "not asked")
    if approval is None or approval.get("timed_out"):
        return False, f"no answer within {timeout}: nothing cleared"
    who = f"{approval.get('by') or 'unknown'} at {approval.get('at')}"
    if not approval.get("approved"):
        return False, f"rejected by {who}: nothing cleared"
    return True, f"approved by {who}"
