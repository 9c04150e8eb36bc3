"""Moodle usernames from the settings' template."""

from __future__ import annotations

from include.eios.moodle_rules import username_problem

__all__ = ["render_username", "username_problem"]


def render_username(template: str, item: dict) -> str:
    """`template` filled from the EIOS item, lower-cased and stripped."""
    values = {k: ("" if v is None else str(v)) for k, v in item.items()}
    try:
        return template.format(**values).strip().lower()
    except (KeyError, IndexError, ValueError):
        return ""
