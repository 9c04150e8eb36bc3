"""The question a person answers when the mass-graduation guard holds faculties, and the
note their answer leaves in the history CSV and the run report. Pure text, no Airflow."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

SUBJECT = "eios_sync: release the faculties the mass-graduation guard held?"


def _cell(text) -> str:
    """A Markdown table cell: no pipe, no line break."""
    return " ".join(str(text).split()).replace("|", "/")


def held_faculties(results: list[dict]) -> list[dict]:
    """One entry per faculty the guard held (its apply branch's result in `state`), for
    the question."""
    return [
        {
            "id": r["id"],
            "name": r.get("name") or "",
            "held_actions": r.get("outcomes", {}).get("held", 0),
            "leaving": r.get("leaving", 0),
            "active": r.get("active_in_moodle", 0),
            "share_pct": r.get("share_pct", 0),
            "reason": r.get("guard_reason", ""),
            "state": r,
        }
        for r in results
        if r and r.get("held")
    ]


def approval_body(held: list[dict], held_list_url: str, timeout_hours: float) -> str:
    """Markdown: one table row per held faculty (held actions, leaving / active, share,
    the guard's reason, a link to its held list), and what an answer or none does."""
    lines = [
        f"The mass-graduation guard held the leaving actions of {len(held)} "
        f"{'faculty' if len(held) == 1 else 'faculties'} in this run. Creates, updates and "
        "the other faculties were applied.",
        "",
        "| Faculty | Held actions | Leaving / active | Share | Reason | Held list |",
        "|---|---|---|---|---|---|",
    ]
    for f in held:
        link = f"{held_list_url}?faculty={quote(str(f['id']), safe='')}"
        lines.append(
            f"| **{_cell(f['id'])}** {_cell(f.get('name') or '')} | {f['held_actions']} | "
            f"{f['leaving']} / {f['active']} | {f['share_pct']:g} % | {_cell(f['reason'])} | "
            f"[held list]({link}) |"
        )
    lines += [
        "",
        "Choose the faculties whose held actions **this run applies now**; the faculties "
        "not chosen stay held and the next run asks again. There is no default: without an "
        f"answer within {timeout_hours:g} h every faculty stays held. (Scripted: the param "
        "`confirm_mass_graduation` applies a faculty's held actions without asking.)",
    ]
    return "\n".join(lines)


def responder_name(user: dict | None) -> str:
    """Who answered (Airflow's user name, else its id)."""
    user = user or {}
    return str(user.get("name") or user.get("id") or "unknown")


def approval_note(who: str, when: str) -> str:
    """The suffix of a released row's result in the history CSV."""
    return f"(approved by {who} at {when})"


def when_text(moment) -> str:
    """The answer's time as `YYYY-MM-DD HH:MM UTC` (XCom may give a datetime or text)."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    if not isinstance(moment, datetime):
        return "unknown time"
    if moment.tzinfo:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def approval_counts(approval: dict | None) -> dict:
    """The run report's counts of the decision (`apply_approved_faculties`' result)."""
    if not approval or not approval.get("asked"):
        return {"approval": "not asked"}
    if not approval.get("answered"):
        return {"approval": "no answer", "kept_held": approval.get("kept_held", [])}
    return {
        "approval": "answered",
        "approved_by": approval.get("approved_by"),
        "approved_at": approval.get("approved_at"),
        "released": approval.get("released", []),
        "kept_held": approval.get("kept_held", []),
    }


def approval_text(approval: dict | None) -> str:
    """The run summary's part on the decision: who released which faculties, and when."""
    if not approval or not approval.get("asked"):
        return ""
    if not approval.get("answered"):
        return "; approval: NO ANSWER (decide_held_faculties), every held faculty stays held"
    released = ", ".join(approval.get("released") or []) or "none"
    kept = ", ".join(approval.get("kept_held") or []) or "none"
    return (
        f"; approved by {approval.get('approved_by')} at {approval.get('approved_at')}: "
        f"released {released}; still held {kept}"
    )
