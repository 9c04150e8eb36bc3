"""core_cohort_* functions, answering per member as Moodle does."""

from __future__ import annotations

import time

from include.sandbox.moodle_ws.registry import (
    invalid_parameter,
    missing_record,
    wsfunction,
)

SYSTEM_CONTEXT_ID = 1


# The columns add_cohort_members looks a member's cohort and user up by (Moodle 4.5)
COHORT_KEYS, USER_KEYS = ("id", "idnumber"), ("id", "username")


def _find(cursor, table: str, keys: tuple[str, ...], typed: dict, live: str = ""):
    """The id of the row of `table` whose column `typed["type"]` (one of `keys`) holds
    `typed["value"]` and that matches `live`; None when there is none."""
    column = typed["type"]
    if column not in keys:  # never reached: the caller warns first; the column goes into SQL
        raise invalid_parameter(f"invalid parameter: type={column}")
    cursor.execute(f"SELECT id FROM {table} WHERE `{column}` = %s{live}", (typed["value"],))
    return cursor.fetchone()


@wsfunction("core_cohort_create_cohorts")
def create_cohorts(cursor, params: dict):
    now = int(time.time())
    created = []
    for cohort in params.get("cohorts") or []:
        if not cohort.get("name"):
            raise invalid_parameter("Missing required key in single structure: name")
        idnumber = cohort.get("idnumber", "")
        if idnumber:
            cursor.execute("SELECT id FROM mdl_cohort WHERE idnumber = %s", (idnumber,))
            if cursor.fetchone():
                raise invalid_parameter(f"record already exists: idnumber={idnumber}")
        visible = int(cohort.get("visible", 1))
        cursor.execute(
            "INSERT INTO mdl_cohort (contextid, name, idnumber, description, descriptionformat,"
            " visible, component, timecreated, timemodified, theme)"
            " VALUES (%s, %s, %s, %s, 1, %s, '', %s, %s, '')",
            (
                SYSTEM_CONTEXT_ID,
                cohort["name"],
                idnumber,
                cohort.get("description", ""),
                visible,
                now,
                now,
            ),
        )
        created.append(
            {
                "id": cursor.lastrowid,
                "name": cohort["name"],
                "idnumber": idnumber,
                "description": cohort.get("description", ""),
                "descriptionformat": 1,
                "visible": bool(visible),
                "theme": "",
            }
        )
    return created


@wsfunction("core_cohort_update_cohorts")
def update_cohorts(cursor, params: dict):
    now = int(time.time())
    for cohort in params.get("cohorts") or []:
        cursor.execute("SELECT id FROM mdl_cohort WHERE id = %s", (int(cohort["id"]),))
        if not cursor.fetchone():
            raise missing_record("cohort")
        changes = {
            k: cohort[k] for k in ("name", "idnumber", "description", "visible") if k in cohort
        }
        assignments = ", ".join(f"`{k}` = %s" for k in changes)
        cursor.execute(
            f"UPDATE mdl_cohort SET {assignments}, timemodified = %s WHERE id = %s",
            (*changes.values(), now, int(cohort["id"])),
        )
    return None


@wsfunction("core_cohort_get_cohorts")
def get_cohorts(cursor, params: dict):
    ids = [int(i) for i in params.get("cohortids") or []]
    sql = (
        "SELECT id, name, idnumber, description, descriptionformat, visible, theme FROM mdl_cohort"
    )
    if ids:
        sql += f" WHERE id IN ({', '.join(['%s'] * len(ids))})"
    cursor.execute(sql + " ORDER BY id", tuple(ids))
    rows = cursor.fetchall()  # an unknown id is left out silently, as Moodle 4.5 does
    return [{**row, "visible": bool(row["visible"]), "customfields": []} for row in rows]


def _require_cohort(cursor, cohort_id: int) -> None:
    """Moodle's error for a cohort id that is not in mdl_cohort."""
    cursor.execute("SELECT id FROM mdl_cohort WHERE id = %s", (cohort_id,))
    if not cursor.fetchone():
        raise missing_record("cohort")


@wsfunction("core_cohort_delete_cohorts")
def delete_cohorts(cursor, params: dict):
    for cohort_id in [int(i) for i in params.get("cohortids") or []]:
        _require_cohort(cursor, cohort_id)
        cursor.execute("DELETE FROM mdl_cohort_members WHERE cohortid = %s", (cohort_id,))
        cursor.execute("DELETE FROM mdl_cohort WHERE id = %s", (cohort_id,))
    return None


@wsfunction("core_cohort_add_cohort_members")
def add_cohort_members(cursor, params: dict):
    """Mirror cohort/externallib.php add_cohort_members (Moodle 4.5): per-member warnings.

    Cohorts are looked up by `id` or `idnumber`, users by `id` or `username` only;
    any other type answers warning code 1 ("invalid parameter: usertype=…") and the
    member is skipped. Missing cohort or user: code 2; already a member: code 3.
    """
    warnings = []

    def warn(code: str, message: str) -> None:
        warnings.append({"warningcode": code, "message": message})

    now = int(time.time())
    for member in params.get("members") or []:
        cohort_type, user_type = member["cohorttype"], member["usertype"]
        if cohort_type["type"] not in COHORT_KEYS:
            warn("1", f"invalid parameter: cohortype={cohort_type['type']}")
            continue
        if user_type["type"] not in USER_KEYS:
            warn("1", f"invalid parameter: usertype={user_type['type']}")
            continue
        cohort = _find(cursor, "mdl_cohort", COHORT_KEYS, cohort_type)
        if cohort is None:
            warn("2", f"cohort {cohort_type['type']}={cohort_type['value']} not exists")
            continue
        user = _find(cursor, "mdl_user", USER_KEYS, user_type, " AND deleted = 0")
        if user is None:
            warn("2", f"user {user_type['type']}={user_type['value']} not exists")
            continue
        cursor.execute(
            "SELECT id FROM mdl_cohort_members WHERE cohortid = %s AND userid = %s",
            (cohort["id"], user["id"]),
        )
        if cursor.fetchone():
            warn(
                "3",
                "record already exists: cohort("
                f"{cohort_type['type']}={cohort_type['value']} "
                f"{user_type['type']}={user_type['value']})",
            )
            continue
        cursor.execute(
            "INSERT INTO mdl_cohort_members (cohortid, userid, timeadded) VALUES (%s, %s, %s)",
            (cohort["id"], user["id"], now),
        )
    return {"warnings": warnings}


@wsfunction("core_cohort_delete_cohort_members")
def delete_cohort_members(cursor, params: dict):
    for member in params.get("members") or []:
        cohort_id, user_id = int(member["cohortid"]), int(member["userid"])
        _require_cohort(cursor, cohort_id)
        cursor.execute(
            "DELETE FROM mdl_cohort_members WHERE cohortid = %s AND userid = %s",
            (cohort_id, user_id),
        )
    return None
