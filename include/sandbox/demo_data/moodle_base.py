"""Moodle's base rows: the schema fixture, rows Moodle's own code wrote, the WS token."""

from __future__ import annotations

import time

from include.sandbox.environment import PROJECT_ROOT, connection_json

MOODLE_DIR = PROJECT_ROOT / "include" / "sandbox" / "moodle"


def seed(context) -> str:
    cursor = context.moodle.cursor()
    # The schema and sample rows are loaded by the stack (mariadb client) before
    # the generators run; here: the web service and the token of `moodle_ws`.
    token = connection_json("moodle_ws").get("password", "")
    now = int(time.time())
    cursor.execute(
        "INSERT INTO mdl_external_services (name, enabled, requiredcapability, restrictedusers,"
        " component, timecreated, timemodified, shortname, downloadfiles, uploadfiles)"
        " VALUES ('LMS pipelines', 1, '', 1, NULL, %s, %s, 'lms_pipelines', 0, 0)",
        (now, now),
    )
    service_id = cursor.lastrowid
    cursor.execute(
        "INSERT INTO mdl_external_tokens (token, tokentype, userid, externalserviceid, contextid,"
        " creatorid, timecreated, name) VALUES (%s, 0, 2, %s, 1, 2, %s, 'lms-pipelines')",
        (token, service_id, now),
    )
    cursor.execute("SELECT COUNT(*) FROM mdl_user")
    users = cursor.fetchone()[0]
    return f"Moodle schema (4.1/4.5 LTS fixture) with {users} users written by Moodle itself"
