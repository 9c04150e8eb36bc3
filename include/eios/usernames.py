"""Moodle usernames from the settings' template."""

from __future__ import annotations

import re

# Moodle's PARAM_USERNAME: lower-case letters, digits and _ - . @
MOODLE_USERNAME = re.compile(r"^[a-z0-9_.@-]{1,100}$")


def render_username(template: str, item: dict) -> str:
    """`template` filled from the EIOS item, lower-cased and stripped."""
    values = {k: ("" if v is None else str(v)) for k, v in item.items()}
    try:
        return template.format(**values).strip().lower()
    except (KeyError, IndexError, ValueError):
        return ""


def username_problem(username: str) -> str:
    """'' when Moodle accepts the username, else why not."""
    if not username:
        return "username from the template is empty"
    if not MOODLE_USERNAME.match(username):
        return f"username {username!r} has characters Moodle does not allow"
    return ""
