"""The write checks' own fixtures: how they are made, saved, and removed at the end.

Everything is named with the run's unique tag (`ctx["tag"]`): one test category
(with a child category), one course in it, two users, one cohort. `created`
makes the case that creates one of them and saves its id into the context;
`removed` makes the teardown case that deletes them again (run even when an
earlier case failed). The one course module is written as kontur_recordings
writes its URL activities, by the project's course-module writer through
`moodle_db` (`write_module`): no web-service function creates one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from include.moodle_contract.case import BAD_EMAIL, Case

SYSTEM_CATEGORY = {"type": "system", "value": ""}  # a cohort of the whole site


def user(ctx: dict, letter: str, **extra) -> dict:
    """A user as eios_sync sends one: the same nine fields, the run's unique names."""
    tag = ctx["tag"]
    return {
        "username": f"{tag}{letter}",
        "firstname": "Contract",
        "lastname": f"Check {letter.upper()}",
        "middlename": "",
        "email": f"{tag}{letter}@contract-check.example.edu",
        "department": "Pipelines contract check",
        "idnumber": f"{tag}-{letter}",
        "auth": "manual",
        "createpassword": 1,
        **extra,
    }


def cohort(name: str, idnumber: str, cohort_id: Any = None, **extra) -> dict:
    """A system cohort as eios_sync sends one (with `cohort_id`: an update of that cohort)."""
    known = {} if cohort_id is None else {"id": cohort_id}
    return {**known, "categorytype": SYSTEM_CATEGORY, "name": name, "idnumber": idnumber, **extra}


def member(cohort_ref: tuple[str, Any], user_ref: tuple[str, Any]) -> dict:
    """One `core_cohort_add_cohort_members` member: (type, value) of the cohort and the user."""
    return {
        "cohorttype": {"type": cohort_ref[0], "value": cohort_ref[1]},
        "usertype": {"type": user_ref[0], "value": user_ref[1]},
    }


def truncated_create(ctx: dict) -> dict:
    # 600 users of nine fields: 5403 form fields with the three of the call itself.
    # At max_input_vars = 5000 PHP drops the tail silently and Moodle sees a cut user.
    # The last user's e-mail is invalid, so a site that keeps every field refuses the
    # whole call too: either way nobody is created.
    users = [user(ctx, f"t{i:03d}") for i in range(599)]
    users.append(user(ctx, "t599", email=BAD_EMAIL))
    return {"users": users}


def first_id(key: str, path: str | None = None) -> Callable[[dict, Any], None]:
    """A `save` that keeps the first item's id of the answer (or of its list `path`) as `key`."""

    def save(ctx: dict, answer: Any) -> None:
        items = answer.get(path) if path and isinstance(answer, dict) else answer
        if isinstance(items, list) and items:
            ctx[key] = items[0]["id"]

    return save


def first_course(ctx: dict, answer: Any) -> None:
    for course in (answer or {}).get("courses", []):
        if course.get("id") != 1 and course.get("format") != "site":
            ctx["existing_course_id"] = course["id"]
            return


def site_info(ctx: dict, answer: Any) -> None:
    if isinstance(answer, dict):
        ctx["ws_username"] = answer.get("username", "admin")
        ctx["functions"] = [f["name"] for f in answer.get("functions", [])]


def user_ids(ctx: dict, answer: Any) -> None:
    """Each created user's id as `user_<letter>_id`."""
    if isinstance(answer, list):
        for created_user in answer:
            ctx[f"user_{created_user['username'][len(ctx['tag']) :]}_id"] = created_user["id"]


def write_module(ctx: dict, db_conn_id: str) -> None:
    """A URL activity in the test course, written by the project's own course-module
    writer (kontur_recordings' path: rows written into Moodle's tables through
    `moodle_db`, removed through `core_course_delete_modules`)."""
    from include.connectors.moodle_db import MoodleDbHook
    from include.connectors.moodle_modules import MoodleModuleWriter

    written = MoodleModuleWriter(MoodleDbHook(db_conn_id)).add_url(
        int(ctx["course_id"]),
        1,
        "Contract check",
        f"{ctx['tag']}-module",
        f"Contract check URL {ctx['tag']}",
        "https://contract-check.example.edu/recording",
    )
    ctx["module_id"] = written.cmid


def write_case(
    name: str, function: str, params: Callable[[dict], dict], *needs: str, **details
) -> Case:
    """A write case that needs the context keys `needs` (the fixtures it works on)."""
    return Case(name, function, params, write=True, needs=needs, **details)


def created(
    name: str, function: str, plural: str, fields: Callable[[dict], dict], saves: str, *needs: str
) -> Case:
    """The write case creating one fixture, `{plural: [fields(ctx)]}`; its id is saved as `saves`."""
    return write_case(
        name, function, lambda ctx: {plural: [fields(ctx)]}, *needs, save=first_id(saves)
    )


def removed(
    function: str, plural: str, *keys: str, item: Callable[[Any], Any] = lambda value: value
) -> Case:
    """The teardown case removing the fixtures saved as `keys`: `{plural: [item(id), ...]}`."""
    return write_case(
        "ok",
        function,
        lambda ctx: {plural: [item(ctx[key]) for key in keys]},
        *keys,
        teardown=True,
    )


# Run after every other case, even when one of them failed; children before parents.
TEARDOWN_CASES: list[Case] = [
    removed("core_cohort_delete_cohorts", "cohortids", "cohort_id"),
    removed("core_user_delete_users", "userids", "user_a_id", "user_b_id"),
    removed("core_course_delete_courses", "courseids", "course_id"),
    removed(
        "core_course_delete_categories",
        "categories",
        "category_id",
        item=lambda category_id: {"id": category_id, "recursive": 1},
    ),
]
