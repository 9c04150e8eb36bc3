"""The question a person answers when the mass-graduation guard holds faculties, and the
note their answer leaves in the history CSV and the run report. Pure text, no Airflow."""

from __future__ import annotations

from urllib.parse import quote

SUBJECT = "eios_sync: release the faculties the mass-graduation guard held?"


def _cell(text) -> str:
    """A Markdown table cell: no pipe, no line break."""
    return " ".join(str(text).split()).replace("|", "/")


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
