"""What the project needs a site to have set up, checked from the outside.

- the external service's functions: `core_webservice_get_site_info` lists the
  functions of the token's service;
- the token's capabilities: a site administrator's token has every capability;
  otherwise the capabilities each function declares (`external_functions`,
  read through `moodle_db`) are compared with what the token user's roles
  allow at the system context; the write checks then show any refusal for real;
- the `moodle_db` account's grants (`SHOW GRANTS`): SELECT on Moodle's database,
  and INSERT/UPDATE on the tables the course-module writer writes, read from
  its own statements (sql/moodle/recordings_module_writes.sql);
- `max_input_vars`: probed, since no web-service function reports it.
  `core_cohort_add_cohort_members` answers one warning per member for a member
  whose `usertype` is invalid and writes nothing; with n fields sent, Moodle
  sees all of them only if n <= max_input_vars (a member cut short is a
  "Missing required key" error, a probe field `probe<i>` that arrives is an
  "Unexpected keys" error). A binary search over n finds the limit exactly.
"""

from __future__ import annotations

import re
from typing import Any

from include.moodle_contract.case import NO_SUCH_ID
from include.moodle_contract.cases import (
    CHECK_FUNCTIONS,
    FIXTURE_FUNCTIONS,
    MAX_INPUT_VARS,
    PROJECT_FUNCTIONS,
)

PROBE_LIMIT = 20003  # fields; a limit above this is reported as "at least"
# The project's biggest call: eios_sync's create_users batch (nine fields a user).
FIELDS_PER_USER = 9


def all_functions() -> list[str]:
    return [*PROJECT_FUNCTIONS, *CHECK_FUNCTIONS, *FIXTURE_FUNCTIONS]


def _fields_arrive(site, n: int) -> bool:
    members, extra = divmod(n - 3, 4)
    params: dict[str, Any] = {
        "members": [
            {
                "cohorttype": {"type": "id", "value": NO_SUCH_ID},
                "usertype": {"type": "probe", "value": str(i)},
            }
            for i in range(members)
        ]
    }
    for i in range(extra):
        params[f"probe{i}"] = "1"
    status, body = site.exchange("core_cohort_add_cohort_members", params)
    if status != 200 or not isinstance(body, dict):
        raise RuntimeError(f"max_input_vars probe: HTTP {status}")
    if "exception" in body:
        # "Unexpected keys (probe0, probe1) detected": every probe field arrived?
        text = str(body.get("debuginfo", "")) + str(body.get("message", ""))
        return extra > 0 and "Unexpected keys" in text and f"probe{extra - 1})" in text
    return extra == 0 and len(body.get("warnings", [])) == members


def probe_max_input_vars(site) -> int | None:
    """How many form fields of one call the site reads (None: more than the probe sends)."""
    if _fields_arrive(site, PROBE_LIMIT):
        return None
    low, high = 7, PROBE_LIMIT  # low arrives, high does not
    while high - low > 1:
        middle = (low + high) // 2
        if _fields_arrive(site, middle):
            low = middle
        else:
            high = middle
    return low


def service_rows(info: dict, write: bool) -> list[tuple[str, str, str]]:
    have = {f["name"] for f in info.get("functions", [])}
    rows = []
    for who, functions, needed in (
        ("project", PROJECT_FUNCTIONS, True),
        ("checks", CHECK_FUNCTIONS, True),
        ("--write", FIXTURE_FUNCTIONS, write),
    ):
        missing = [f for f in functions if f not in have]
        if not missing:
            rows.append((f"setup: service functions ({who})", "yes", f"all {len(functions)}"))
            continue
        why = "" if needed else " (only --write needs them)"
        rows.append(
            (
                f"setup: service functions ({who})",
                "NO" if needed else "-",
                "missing: " + ", ".join(missing) + why,
            )
        )
    return rows


def _db_hook(db_conn_id: str):
    from include.connectors.moodle_db import MoodleDbHook

    return MoodleDbHook(db_conn_id)


def capability_row(info: dict, db_conn_id: str) -> tuple[str, str, str]:
    name = "setup: token capabilities"
    if info.get("userissiteadmin"):
        return name, "yes", f"the token's user ({info.get('username')}) is a site administrator"
    try:
        hook = _db_hook(db_conn_id)
        needed = _capabilities_needed(hook)
        allowed = _capabilities_allowed(hook, int(info["userid"]))
    except Exception as exc:
        return name, "?", f"not a site admin; could not read roles via moodle_db: {exc}"[:300]
    missing = sorted(c for c in needed if c not in allowed)
    if missing:
        return name, "NO", "not allowed at system level: " + ", ".join(missing)
    return name, "yes", f"{len(needed)} capabilities the functions declare are allowed"


def _capabilities_needed(hook) -> set[str]:
    rows = hook.read_frame("check_function_capabilities")
    rows = rows[rows["name"].isin(list(PROJECT_FUNCTIONS))]
    needed: set[str] = {"webservice/rest:use"}  # every REST call checks it
    for value in rows["capabilities"].fillna(""):
        needed |= {c.strip() for c in str(value).split(",") if c.strip()}
    return needed


def _capabilities_allowed(hook, user_id: int) -> set[str]:
    rows = hook.read_frame("check_user_capabilities", {"userid": user_id})
    return set(rows["capability"])


_GRANT = re.compile(r"GRANT (?P<privs>.+?) ON (?P<on>\S+) TO", re.IGNORECASE)
_WRITE = re.compile(r"^\s*(INSERT INTO|UPDATE)\s+mdl_(\w+)", re.IGNORECASE | re.MULTILINE)


def writer_needs() -> dict[str, set[str]]:
    """{table: {"INSERT", "UPDATE"}} from the course-module writer's own statements."""
    from include.connectors.sql_files import sql_text

    needs: dict[str, set[str]] = {}
    for verb, table in _WRITE.findall(sql_text("moodle/recordings_module_writes.sql")):
        needs.setdefault(table, set()).add(
            "INSERT" if verb.upper().startswith("INSERT") else "UPDATE"
        )
    return needs


def _granted(grants: list[str], schema: str, table: str) -> set[str]:
    privileges: set[str] = set()
    for line in grants:
        match = _GRANT.search(line)
        if not match:
            continue
        on = match.group("on").replace("`", "")
        if on in ("*.*", f"{schema}.*", f"{schema}.{table}"):
            found = {p.strip().upper() for p in match.group("privs").split(",")}
            if "ALL PRIVILEGES" in found or "ALL" in found:
                found |= {"SELECT", "INSERT", "UPDATE", "DELETE"}
            privileges |= found
    return privileges


def grant_row(db_conn_id: str) -> tuple[str, str, str]:
    name = "setup: moodle_db grants"
    try:
        hook = _db_hook(db_conn_id)
        connection = hook.get_conn()
        cursor = connection.cursor()
        cursor.execute("SELECT DATABASE()")
        schema = cursor.fetchone()[0]
        cursor.execute("SHOW GRANTS FOR CURRENT_USER()")
        grants = [row[0] for row in cursor.fetchall()]
        cursor.close()
        prefix = hook.table_prefix
    except Exception as exc:
        return name, "?", f"could not read the grants: {type(exc).__name__}: {str(exc)[:200]}"
    problems = []
    if "SELECT" not in _granted(grants, schema, "*"):
        problems.append(f"no SELECT on {schema}.*")
    for table, verbs in sorted(writer_needs().items()):
        missing = verbs - _granted(grants, schema, prefix + table)
        if missing:
            problems.append(f"{prefix}{table}: no {'/'.join(sorted(missing))}")
    if problems:
        return name, "NO", "; ".join(problems)
    needs = ", ".join(f"{t} ({'/'.join(sorted(v))})" for t, v in sorted(writer_needs().items()))
    return name, "yes", f"SELECT on {schema}.*; the writer's {needs}"


def max_input_vars_row(site, batch_size: int | None = None) -> tuple[str, str, str]:
    name = "setup: max_input_vars"
    try:
        limit = probe_max_input_vars(site)
    except Exception as exc:
        return name, "?", f"probe failed: {str(exc)[:200]}"
    if limit is None:
        return name, "yes", f"at least {PROBE_LIMIT} form fields arrive"
    users = (limit - 3) // FIELDS_PER_USER
    setting = limit - 1  # PHP 8 keeps one field more than max_input_vars
    text = (
        f"{setting} (probed: {limit} form fields of one call arrive); a create_users call "
        f"holds at most {users} users: keep eios_sync's ws_batch_size below that"
    )
    if setting < MAX_INPUT_VARS:
        return name, "NO", text + f"; Moodle requires at least {MAX_INPUT_VARS}"
    return name, "yes", text


def run_all(site, info: dict, db_conn_id: str, write: bool) -> list[tuple[str, str, str]]:
    return [
        *service_rows(info, write),
        capability_row(info, db_conn_id),
        grant_row(db_conn_id),
        max_input_vars_row(site),
    ]
