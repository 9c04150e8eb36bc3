"""core_user_* functions, with the checks Moodle makes (all or nothing per call)."""

from __future__ import annotations

import re
import time

from include.sandbox.moodle_ws.contexts import CONTEXT_USER, SYSTEM_CONTEXT, add_context
from include.sandbox.moodle_ws.registry import (
    MoodleException,
    invalid_parameter,
    missing_record,
    wsfunction,
)

# Moodle's PARAM_EMAIL / validate_email(), close enough for the stand-in.
_EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$")
# PARAM_USERNAME: lower case letters, digits and _ - . @
_USERNAME = re.compile(r"^[a-z0-9_.@-]+$")
_AUTH_PLUGINS = {"manual", "nologin", "db", "ldap", "oauth2", "cas", "shibboleth", "saml2", "email"}
# Fields a user row answers and an update may change, both
_PROFILE = (
    "username",
    "firstname",
    "lastname",
    "email",
    "idnumber",
    "auth",
    "suspended",
    "department",
    "institution",
)
USER_FIELDS = ("id", *_PROFILE, "lang", "timezone")
_UPDATABLE = (*_PROFILE, "middlename")


def _email_taken(cursor, email: str, other_than: int = 0) -> bool:
    # allowaccountssameemail = 0, Moodle's default: a case-insensitive match refuses
    cursor.execute(
        "SELECT id FROM mdl_user WHERE LOWER(email) = LOWER(%s) AND mnethostid = 1 AND id <> %s",
        (email, other_than),
    )
    return cursor.fetchone() is not None


def _check_user(cursor, user: dict, usernames_in_call: set[str]) -> None:
    """user/externallib.php create_users' checks, in its order (Moodle 4.5)."""
    for key in ("username", "firstname", "lastname", "email"):
        if key not in user:  # validate_parameters, before the function runs
            raise invalid_parameter(
                "users => Invalid parameter value detected: "
                f"Missing required key in single structure: {key}"
            )
    username = user["username"]
    if username and not _USERNAME.match(username):
        raise invalid_parameter(f"users => Invalid parameter value detected: username: {username}")
    for key in ("username", "firstname", "lastname"):
        if not str(user[key]).strip():
            raise invalid_parameter(f"The field {key} cannot be blank")
    cursor.execute("SELECT id FROM mdl_user WHERE username = %s AND mnethostid = 1", (username,))
    if cursor.fetchone() or username in usernames_in_call:
        raise invalid_parameter(f"Username already exists: {username}")
    if user.get("auth", "manual") not in _AUTH_PLUGINS:
        raise invalid_parameter(f"Invalid authentication type: {user.get('auth')}")
    if user.get("auth", "manual") == "manual" and not (
        user.get("password") or str(user.get("createpassword", "")) not in ("", "0")
    ):
        raise invalid_parameter(
            "Invalid password: you must provide a password, or set createpassword."
        )
    email = user["email"]
    if not _EMAIL.match(email) or ".." in email:
        raise invalid_parameter(f"Email address is invalid: {email}")
    if _email_taken(cursor, email):
        raise invalid_parameter(f"Email address already exists: {email}")


@wsfunction("core_user_create_users")
def create_users(cursor, params: dict):
    users = params.get("users") or []
    for user in users:  # validate_parameters sees the whole structure first
        for key in ("username", "firstname", "lastname", "email"):
            if key not in user:
                raise invalid_parameter(
                    "users => Invalid parameter value detected: "
                    f"Missing required key in single structure: {key}"
                )
    now = int(time.time())
    created = []
    seen: set[str] = set()
    # One transaction (server.py): a refused user rolls back the ones inserted before it.
    for user in users:
        _check_user(cursor, user, seen)
        seen.add(user["username"])
        cursor.execute(
            "INSERT INTO mdl_user (auth, confirmed, mnethostid, username, password, idnumber,"
            " firstname, lastname, email, department, institution, lang, calendartype, timezone,"
            " timecreated, timemodified, middlename)"
            " VALUES (%s, 1, 1, %s, '', %s, %s, %s, %s, %s, %s, 'en', 'gregorian', '99', %s, %s, %s)",
            (
                user.get("auth", "manual"),
                user["username"],
                user.get("idnumber", ""),
                user["firstname"],
                user["lastname"],
                user["email"],
                user.get("department", ""),
                user.get("institution", ""),
                now,
                now,
                user.get("middlename", ""),
            ),
        )
        user_id = cursor.lastrowid
        add_context(cursor, CONTEXT_USER, user_id, SYSTEM_CONTEXT)
        created.append({"id": user_id, "username": user["username"]})
    return created


class _UserWarning(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _update_one(cursor, user: dict, now: int) -> None:
    user_id = int(user.get("id", 0))
    cursor.execute("SELECT id, email, deleted, username FROM mdl_user WHERE id = %s", (user_id,))
    existing = cursor.fetchone()
    if existing is None:
        raise _UserWarning("invaliduserid", "Invalid user ID")
    if existing["deleted"]:
        raise _UserWarning("usernotupdateddeleted", "User is deleted and cannot be updated")
    if "email" in user and user["email"] != existing["email"]:
        if not _EMAIL.match(user["email"]) or ".." in user["email"]:
            raise _UserWarning("useremailinvalid", "error/useremailinvalid")
        if _email_taken(cursor, user["email"], other_than=user_id):
            raise _UserWarning("useremailduplicate", "Duplicate address")
    if "username" in user:
        cursor.execute(
            "SELECT id FROM mdl_user WHERE username = %s AND mnethostid = 1 AND id <> %s",
            (user["username"], user_id),
        )
        if cursor.fetchone():  # the unique index refuses the write
            raise _UserWarning("dmlwriteexception", "Error writing to database")
    changes = {k: user[k] for k in _UPDATABLE if k in user}
    if not changes:
        return
    assignments = ", ".join(f"`{k}` = %s" for k in changes)
    cursor.execute(
        f"UPDATE mdl_user SET {assignments}, timemodified = %s WHERE id = %s",
        (*changes.values(), now, user_id),
    )


@wsfunction("core_user_update_users")
def update_users(cursor, params: dict):
    """Per user, as Moodle 4.5: a refused user is a warning, the others are updated."""
    warnings = []
    now = int(time.time())
    for user in params.get("users") or []:
        try:
            _update_one(cursor, user, now)
        except _UserWarning as problem:
            warnings.append(
                {
                    "item": "user",
                    "itemid": int(user.get("id", 0)),
                    "warningcode": problem.code,
                    "message": problem.message,
                }
            )
    return {"warnings": warnings}


_OMITTED_WHEN_EMPTY = ("idnumber", "institution")  # department is kept when empty
WS_USER_ID = 2  # the token's user in the sandbox: Moodle adds its preferences


@wsfunction("core_user_get_users_by_field")
def get_users_by_field(cursor, params: dict):
    """user_get_user_details' shape: empty optional fields left out, preferences if any."""
    field = params.get("field", "")
    if field not in ("id", "idnumber", "username", "email"):
        raise MoodleException(
            "core\\exception\\coding_exception",
            "codingerror",
            "Coding error detected, it must be fixed by a programmer: invalid field parameter",
            f"The search field '{field}' is not supported, look at the web service documentation",
        )
    values = params.get("values") or []
    if not values:
        return []
    marks = ", ".join(["%s"] * len(values))
    cursor.execute(
        f"SELECT {', '.join(USER_FIELDS)}, confirmed, firstaccess, lastaccess, mailformat,"
        f" theme, trackforums FROM mdl_user"
        f" WHERE `{field}` IN ({marks}) AND deleted = 0 ORDER BY id",
        tuple(values),
    )
    rows = cursor.fetchall()
    answer = []
    for row in rows:
        user = {k: v for k, v in row.items() if not (k in _OMITTED_WHEN_EMPTY and not v)}
        user["suspended"] = bool(row["suspended"])
        user["confirmed"] = bool(row["confirmed"])
        user["theme"] = row["theme"] or ""
        user["fullname"] = f"{row['firstname']} {row['lastname']}"
        picture = "http://127.0.0.1/moodle/theme/image.php/boost/core/1/u/"
        user["profileimageurlsmall"] = picture + "f2"
        user["profileimageurl"] = picture + "f1"
        if row["id"] == WS_USER_ID:  # user_get_user_details: the current user's only
            cursor.execute(
                "SELECT name, value FROM mdl_user_preferences WHERE userid = %s ORDER BY name",
                (row["id"],),
            )
            user["preferences"] = [{"name": "_lastloaded", "value": int(time.time())}] + [
                {"name": p["name"], "value": p["value"]} for p in cursor.fetchall()
            ]
        answer.append(user)
    return answer


@wsfunction("core_user_delete_users")
def delete_users(cursor, params: dict):
    """Moodle's delete_user(): the row stays, marked deleted, its username freed."""
    now = int(time.time())
    for user_id in [int(i) for i in params.get("userids") or []]:
        cursor.execute("SELECT id, email FROM mdl_user WHERE id = %s AND deleted = 0", (user_id,))
        row = cursor.fetchone()
        if row is None:
            raise missing_record("user")
        cursor.execute(
            "UPDATE mdl_user SET deleted = 1, username = %s, email = '', idnumber = '',"
            " timemodified = %s WHERE id = %s",
            (f"{row['email']}.{now}.{user_id}", now, user_id),
        )
        cursor.execute("DELETE FROM mdl_cohort_members WHERE userid = %s", (user_id,))
    return None
