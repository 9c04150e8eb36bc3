"""core_user_* functions, with the checks Moodle makes (all or nothing per call)."""

from __future__ import annotations

import re
import time

from include.sandbox.moodle_ws.registry import MoodleException, invalid_parameter, wsfunction

# Moodle's PARAM_EMAIL / validate_email(), close enough for the stand-in.
_EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$")
# PARAM_USERNAME: lower case letters, digits and _ - . @
_USERNAME = re.compile(r"^[a-z0-9_.@-]+$")
_AUTH_PLUGINS = {"manual", "nologin", "db", "ldap", "oauth2", "cas", "shibboleth", "saml2", "email"}
USER_FIELDS = (
    "id",
    "username",
    "firstname",
    "lastname",
    "email",
    "idnumber",
    "auth",
    "suspended",
    "department",
    "institution",
    "lang",
    "timezone",
)
_UPDATABLE = (
    "username",
    "firstname",
    "lastname",
    "email",
    "idnumber",
    "auth",
    "suspended",
    "department",
    "institution",
    "middlename",
)


def _check_user(cursor, user: dict, usernames_in_call: set[str]) -> None:
    username = user.get("username", "")
    if not username or not _USERNAME.match(username):
        raise invalid_parameter(f"Invalid username: {username}")
    if username in usernames_in_call:
        raise invalid_parameter(f"Username already exists: {username}")
    cursor.execute(
        "SELECT id FROM mdl_user WHERE username = %s AND mnethostid = 1 AND deleted = 0",
        (username,),
    )
    if cursor.fetchone():
        raise invalid_parameter(f"Username already exists: {username}")
    if not user.get("firstname") or not user.get("lastname"):
        raise invalid_parameter("Missing required key in single structure: firstname/lastname")
    email = user.get("email", "")
    if not _EMAIL.match(email):
        raise invalid_parameter(f"Email address is invalid: {email}")
    if user.get("auth", "manual") not in _AUTH_PLUGINS:
        raise invalid_parameter(f"Invalid authentication type: {user.get('auth')}")
    if user.get("auth", "manual") == "manual" and not (
        user.get("password") or user.get("createpassword")
    ):
        raise invalid_parameter(
            "Invalid password: you must provide a password, or set createpassword."
        )


@wsfunction("core_user_create_users")
def create_users(cursor, params: dict):
    users = params.get("users") or []
    seen: set[str] = set()
    for user in users:
        _check_user(cursor, user, seen)
        seen.add(user["username"])
    now = int(time.time())
    created = []
    for user in users:
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
        cursor.execute(
            "INSERT INTO mdl_context (contextlevel, instanceid, path, depth, locked)"
            " VALUES (30, %s, NULL, 2, 0)",
            (user_id,),
        )
        cursor.execute(
            "UPDATE mdl_context SET path = CONCAT('/1/', id) WHERE id = %s", (cursor.lastrowid,)
        )
        created.append({"id": user_id, "username": user["username"]})
    return created


@wsfunction("core_user_update_users")
def update_users(cursor, params: dict):
    warnings = []
    now = int(time.time())
    for user in params.get("users") or []:
        user_id = int(user.get("id", 0))
        cursor.execute("SELECT id FROM mdl_user WHERE id = %s AND deleted = 0", (user_id,))
        if not cursor.fetchone():
            warnings.append(
                {
                    "item": "user",
                    "itemid": user_id,
                    "warningcode": "invaliduserid",
                    "message": "Invalid user ID",
                }
            )
            continue
        if "email" in user and not _EMAIL.match(user["email"]):
            raise invalid_parameter(f"Email address is invalid: {user['email']}")
        if "username" in user:
            cursor.execute(
                "SELECT id FROM mdl_user WHERE username = %s AND mnethostid = 1 AND id <> %s",
                (user["username"], user_id),
            )
            if cursor.fetchone():
                raise MoodleException(
                    "moodle_exception", "usernameexists", "Username already exists"
                )
        changes = {k: user[k] for k in _UPDATABLE if k in user}
        if not changes:
            continue
        assignments = ", ".join(f"`{k}` = %s" for k in changes)
        cursor.execute(
            f"UPDATE mdl_user SET {assignments}, timemodified = %s WHERE id = %s",
            (*changes.values(), now, user_id),
        )
    return {"warnings": warnings}


@wsfunction("core_user_get_users_by_field")
def get_users_by_field(cursor, params: dict):
    field = params.get("field", "")
    if field not in ("id", "idnumber", "username", "email"):
        raise invalid_parameter(f"Invalid field: {field}")
    values = params.get("values") or []
    if not values:
        return []
    marks = ", ".join(["%s"] * len(values))
    cursor.execute(
        f"SELECT {', '.join(USER_FIELDS)} FROM mdl_user"
        f" WHERE `{field}` IN ({marks}) AND deleted = 0 ORDER BY id",
        tuple(values),
    )
    rows = cursor.fetchall()
    for row in rows:
        row["suspended"] = bool(row["suspended"])
        row["fullname"] = f"{row['firstname']} {row['lastname']}"
    return rows
