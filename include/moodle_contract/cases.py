"""The contract cases: every web-service function the project calls, as requests.

Read cases (`write=False`) change nothing on the site: they read existing data or
send a request Moodle refuses before it writes (an unknown id, a bad type).
Write cases (`write=True`) build their own fixtures first, all named with the
run's unique tag: one test category (with a child category), one course in it,
two users, one cohort, and remove them at the end (`teardown=True`, run even
when an earlier case fails). They need the five fixture functions
(`FIXTURE_FUNCTIONS`) in the service. The one course module (deleted by
`core_course_delete_modules`) is written as kontur_recordings writes its URL
activities, by the project's course-module writer through `moodle_db` (no
web-service function creates one): without that connection the case is skipped.

A case's `params(ctx)` builds the request from the run's context (`ctx`: the
tag, the ids the earlier cases saved through `save`). The recording stores the
request built with placeholders (`<category_id>`), so a replay fills in its own
ids. `values` names answer paths compared literally (a name the call must have
changed, e.g.). `simplifies` says what a stand-in may leave out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The functions the project's DAGs call (grep include/ for them), by DAG.
PROJECT_FUNCTIONS: dict[str, str] = {
    "core_user_create_users": "eios_sync",
    "core_user_update_users": "eios_sync",
    "core_cohort_create_cohorts": "eios_sync",
    "core_cohort_update_cohorts": "eios_sync",
    "core_cohort_add_cohort_members": "eios_sync",
    "core_cohort_delete_cohort_members": "eios_sync",
    "core_course_delete_modules": "kontur_recordings",
    "core_course_get_categories": "course_archive",
    "core_course_create_categories": "course_archive",
    "core_course_update_courses": "course_archive",
}
# Read functions the checks (and the project's tests) use to look at what a call did.
CHECK_FUNCTIONS: dict[str, str] = {
    "core_webservice_get_site_info": "the checks (site, release, the service's functions)",
    "core_user_get_users_by_field": "the checks",
    "core_cohort_get_cohorts": "the checks",
    "core_course_get_courses_by_field": "the checks",
    "core_course_get_contents": "the checks",
}
# Only for the write checks: they create and remove their own fixtures with these.
FIXTURE_FUNCTIONS: dict[str, str] = {
    "core_course_create_courses": "write checks only",
    "core_course_delete_courses": "write checks only",
    "core_course_delete_categories": "write checks only",
    "core_cohort_delete_cohorts": "write checks only",
    "core_user_delete_users": "write checks only",
}

NO_SUCH_ID = 2147480000  # an id no site has: the call is refused before it writes
BAD_EMAIL = "ivan..tochkin@students.example.edu"  # refused by Moodle's validate_email
MAX_INPUT_VARS = 5000  # PHP's setting on the recorded site (Moodle requires >= 5000)


@dataclass(frozen=True)
class Case:
    name: str
    function: str
    params: Callable[[dict], dict] = lambda ctx: {}
    write: bool = False
    save: Callable[[dict, Any], None] | None = None
    values: tuple[str, ...] = ()
    simplifies: str = ""
    token: str | None = None  # a token other than the connection's (the bad-token case)
    generated: str = ""  # a request too big to store: described here, rebuilt by `params`
    teardown: bool = False
    needs: tuple[str, ...] = field(default_factory=tuple)  # ctx keys the case needs
    # Run before the request with (ctx, moodle_db connection id): a fixture Moodle's web
    # services cannot make (a course module); it raises if it cannot, and the case is skipped.
    prepare: Callable[[dict, str], None] | None = None

    @property
    def key(self) -> str:
        return f"{self.function}/{self.name}"


def _user(ctx: dict, letter: str, **extra) -> dict:
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


def _first(key: str, path: str | None = None):
    def save(ctx: dict, answer: Any) -> None:
        items = answer.get(path) if path and isinstance(answer, dict) else answer
        if isinstance(items, list) and items:
            ctx[key] = items[0]["id"]

    return save


def _first_course(ctx: dict, answer: Any) -> None:
    for course in (answer or {}).get("courses", []):
        if course.get("id") != 1 and course.get("format") != "site":
            ctx["existing_course_id"] = course["id"]
            return


def _save_site(ctx: dict, answer: Any) -> None:
    if isinstance(answer, dict):
        ctx["ws_username"] = answer.get("username", "admin")
        ctx["functions"] = [f["name"] for f in answer.get("functions", [])]


def _save_users(ctx: dict, answer: Any) -> None:
    if isinstance(answer, list):
        for user in answer:
            ctx[f"user_{user['username'][len(ctx['tag']) :]}_id"] = user["id"]


def _write_module(ctx: dict, db_conn_id: str) -> None:
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


def _truncated_create(ctx: dict) -> dict:
    # 600 users of nine fields: 5403 form fields with the three of the call itself.
    # At max_input_vars = 5000 PHP drops the tail silently and Moodle sees a cut user.
    # The last user's e-mail is invalid, so a site that keeps every field refuses the
    # whole call too: either way nobody is created.
    users = [_user(ctx, f"t{i:03d}") for i in range(599)]
    users.append(_user(ctx, "t599", email=BAD_EMAIL))
    return {"users": users}


def _member(cohort: tuple[str, Any], user: tuple[str, Any]) -> dict:
    return {
        "cohorttype": {"type": cohort[0], "value": cohort[1]},
        "usertype": {"type": user[0], "value": user[1]},
    }


CASES: list[Case] = [
    # ---- read cases: nothing on the site changes --------------------------------
    Case(
        "ok",
        "core_webservice_get_site_info",
        save=_save_site,
        simplifies="the stand-in lists no `functions` and answers only the fields the "
        "project reads (sitename, user, release, version)",
    ),
    Case("bad_token", "core_webservice_get_site_info", token="not-a-valid-token-0"),
    Case("unknown_function", "core_no_such_function"),
    Case("all", "core_course_get_categories", save=_first("existing_category_id")),
    Case(
        "by_id",
        "core_course_get_categories",
        lambda ctx: {
            "criteria": [{"key": "id", "value": ctx["existing_category_id"]}],
            "addsubcategories": 0,
        },
        needs=("existing_category_id",),
    ),
    Case(
        "bad_key",
        "core_course_get_categories",
        lambda ctx: {"criteria": [{"key": "nosuchkey", "value": "1"}]},
    ),
    Case(
        "all",
        "core_course_get_courses_by_field",
        save=_first_course,
        simplifies="the stand-in answers no custom fields, course image or contacts",
    ),
    Case(
        "by_id",
        "core_course_get_courses_by_field",
        lambda ctx: {"field": "id", "value": ctx["existing_course_id"]},
        needs=("existing_course_id",),
    ),
    Case(
        "bad_field",
        "core_course_get_courses_by_field",
        lambda ctx: {"field": "nosuchfield", "value": "1"},
    ),
    Case(
        "unknown_course",
        "core_course_get_contents",
        lambda ctx: {"courseid": NO_SUCH_ID},
    ),
    Case(
        "by_username",
        "core_user_get_users_by_field",
        lambda ctx: {"field": "username", "values": [ctx["ws_username"]]},
        needs=("ws_username",),
        simplifies="the stand-in answers the fields the project reads, not every profile field",
    ),
    Case(
        "bad_field",
        "core_user_get_users_by_field",
        lambda ctx: {"field": "nosuchfield", "values": ["1"]},
    ),
    Case(
        "unknown_id",
        "core_cohort_get_cohorts",
        lambda ctx: {"cohortids": [NO_SUCH_ID]},
    ),
    Case(
        "unknown_user",
        "core_user_update_users",
        lambda ctx: {"users": [{"id": NO_SUCH_ID, "suspended": 0}]},
    ),
    Case(
        "unknown_cohort",
        "core_cohort_update_cohorts",
        lambda ctx: {
            "cohorts": [
                {
                    "id": NO_SUCH_ID,
                    "categorytype": {"type": "system", "value": ""},
                    "name": "no such cohort",
                    "idnumber": f"{ctx['tag']}-none",
                }
            ]
        },
    ),
    Case(
        "usertype_idnumber",
        "core_cohort_add_cohort_members",
        lambda ctx: {"members": [_member(("id", NO_SUCH_ID), ("idnumber", "1001"))]},
    ),
    Case(
        "missing_cohort",
        "core_cohort_add_cohort_members",
        lambda ctx: {
            "members": [
                _member(("idnumber", f"{ctx['tag']}-none"), ("username", ctx["ws_username"]))
            ]
        },
        needs=("ws_username",),
    ),
    Case(
        "unknown_cohort",
        "core_cohort_delete_cohort_members",
        lambda ctx: {"members": [{"cohortid": NO_SUCH_ID, "userid": 2}]},
    ),
    Case(
        "unknown_module",
        "core_course_delete_modules",
        lambda ctx: {"cmids": [NO_SUCH_ID]},
    ),
    Case(
        "unknown_course",
        "core_course_update_courses",
        lambda ctx: {"courses": [{"id": NO_SUCH_ID, "visible": 0}]},
    ),
    # ---- write cases: fixtures of their own, removed at the end -----------------
    Case(
        "ok",
        "core_course_create_categories",
        lambda ctx: {
            "categories": [
                {
                    "name": f"Pipelines contract check {ctx['tag']}",
                    "idnumber": f"{ctx['tag']}-category",
                    "parent": 0,
                    "description": "Created and removed by make check-moodle",
                }
            ]
        },
        write=True,
        save=_first("category_id"),
    ),
    Case(
        "child",
        "core_course_create_categories",
        lambda ctx: {
            "categories": [
                {
                    "name": f"Archive {ctx['tag']}",
                    "idnumber": f"{ctx['tag']}-archive",
                    "parent": ctx["category_id"],
                }
            ]
        },
        write=True,
        save=_first("archive_category_id"),
        needs=("category_id",),
    ),
    Case(
        "duplicate_idnumber",
        "core_course_create_categories",
        lambda ctx: {
            "categories": [{"name": "Duplicate", "idnumber": f"{ctx['tag']}-category", "parent": 0}]
        },
        write=True,
        needs=("category_id",),
    ),
    Case(
        "test_category",
        "core_course_get_categories",
        lambda ctx: {"criteria": [{"key": "idnumber", "value": f"{ctx['tag']}-category"}]},
        write=True,
        needs=("category_id",),
        values=("0.name", "1.name", "2.name"),
    ),
    Case(
        "ok",
        "core_course_create_courses",
        lambda ctx: {
            "courses": [
                {
                    "fullname": f"Contract check course {ctx['tag']}",
                    "shortname": f"{ctx['tag']}-course",
                    "categoryid": ctx["category_id"],
                }
            ]
        },
        write=True,
        save=_first("course_id"),
        needs=("category_id",),
    ),
    Case(
        "test_course",
        "core_course_get_contents",
        lambda ctx: {"courseid": ctx["course_id"]},
        write=True,
        needs=("course_id",),
        simplifies="the stand-in answers no section availability or module custom data",
    ),
    Case(
        "ok",
        "core_course_delete_modules",
        lambda ctx: {"cmids": [ctx["module_id"]]},
        write=True,
        prepare=_write_module,
        needs=("course_id",),
    ),
    Case(
        "archive",
        "core_course_update_courses",
        lambda ctx: {
            "courses": [
                {"id": ctx["course_id"], "categoryid": ctx["archive_category_id"], "visible": 0}
            ]
        },
        write=True,
        needs=("course_id", "archive_category_id"),
    ),
    Case(
        "after_archive",
        "core_course_get_courses_by_field",
        lambda ctx: {"field": "id", "value": ctx["course_id"]},
        write=True,
        needs=("course_id",),
        values=("courses.0.visible", "courses.0.categoryname"),
    ),
    Case(
        "ok",
        "core_user_create_users",
        lambda ctx: {"users": [_user(ctx, "a"), _user(ctx, "b")]},
        write=True,
        save=_save_users,
    ),
    Case(
        "duplicate_username",
        "core_user_create_users",
        lambda ctx: {"users": [_user(ctx, "c"), _user(ctx, "a", email=f"{ctx['tag']}x@x.edu")]},
        write=True,
        needs=("user_a_id",),
    ),
    Case(
        "duplicate_email",
        "core_user_create_users",
        lambda ctx: {"users": [_user(ctx, "c", email=f"{ctx['tag']}a@contract-check.example.edu")]},
        write=True,
        needs=("user_a_id",),
        simplifies="the stand-in refuses a second account with an e-mail in use, as a "
        "site with allowaccountssameemail = 0 (Moodle's default) does",
    ),
    Case(
        "invalid_email",
        "core_user_create_users",
        lambda ctx: {"users": [_user(ctx, "c"), _user(ctx, "d", email=BAD_EMAIL)]},
        write=True,
        simplifies="the stand-in's e-mail check is a regular expression close to "
        "PHPMailer's validateAddress, not PHPMailer itself",
    ),
    Case(
        "blank_firstname",
        "core_user_create_users",
        lambda ctx: {"users": [_user(ctx, "c", firstname="")]},
        write=True,
    ),
    Case(
        "truncated_by_max_input_vars",
        "core_user_create_users",
        _truncated_create,
        write=True,
        generated="600 users of the nine fields eios_sync sends (5403 form fields); the "
        "last user's e-mail is invalid so that no site creates anyone",
        simplifies="the stand-in keeps the first max_input_vars form fields (its setting "
        "SANDBOX_MOODLE_MAX_INPUT_VARS, default 5000) as PHP does",
    ),
    Case(
        "ok",
        "core_user_update_users",
        lambda ctx: {"users": [{"id": ctx["user_a_id"], "suspended": 1}]},
        write=True,
        needs=("user_a_id",),
    ),
    Case(
        "per_user_warnings",
        "core_user_update_users",
        lambda ctx: {
            "users": [
                {"id": ctx["user_a_id"], "email": BAD_EMAIL},
                {"id": ctx["user_b_id"], "email": f"{ctx['tag']}a@contract-check.example.edu"},
                {"id": ctx["user_a_id"], "username": f"{ctx['tag']}b"},
                {"id": NO_SUCH_ID, "firstname": "Nobody"},
                {"id": ctx["user_b_id"], "firstname": "Renamed"},
            ]
        },
        write=True,
        needs=("user_a_id", "user_b_id"),
    ),
    Case(
        "after_update",
        "core_user_get_users_by_field",
        lambda ctx: {"field": "id", "values": [ctx["user_a_id"], ctx["user_b_id"]]},
        write=True,
        needs=("user_a_id", "user_b_id"),
        values=("0.username", "0.email", "0.suspended", "1.firstname", "1.email"),
    ),
    Case(
        "ok",
        "core_cohort_create_cohorts",
        lambda ctx: {
            "cohorts": [
                {
                    "categorytype": {"type": "system", "value": ""},
                    "name": f"Contract check {ctx['tag']}",
                    "idnumber": f"{ctx['tag']}-cohort",
                    "description": "Created and removed by make check-moodle",
                    "visible": 1,
                }
            ]
        },
        write=True,
        save=_first("cohort_id"),
    ),
    Case(
        "duplicate_idnumber",
        "core_cohort_create_cohorts",
        lambda ctx: {
            "cohorts": [
                {
                    "categorytype": {"type": "system", "value": ""},
                    "name": "Duplicate",
                    "idnumber": f"{ctx['tag']}-cohort",
                }
            ]
        },
        write=True,
        needs=("cohort_id",),
    ),
    Case(
        "ok",
        "core_cohort_update_cohorts",
        lambda ctx: {
            "cohorts": [
                {
                    "id": ctx["cohort_id"],
                    "categorytype": {"type": "system", "value": ""},
                    "name": f"Contract check {ctx['tag']} (graduated)",
                    "idnumber": f"{ctx['tag']}-cohort",
                    "visible": 0,
                }
            ]
        },
        write=True,
        needs=("cohort_id",),
    ),
    Case(
        "test_cohort",
        "core_cohort_get_cohorts",
        lambda ctx: {"cohortids": [ctx["cohort_id"]]},
        write=True,
        needs=("cohort_id",),
        values=("0.name", "0.visible"),
    ),
    Case(
        "by_username_and_id",
        "core_cohort_add_cohort_members",
        lambda ctx: {
            "members": [
                _member(("idnumber", f"{ctx['tag']}-cohort"), ("username", f"{ctx['tag']}a")),
                _member(("id", ctx["cohort_id"]), ("id", ctx["user_b_id"])),
            ]
        },
        write=True,
        needs=("cohort_id", "user_a_id", "user_b_id"),
    ),
    Case(
        "per_member_warnings",
        "core_cohort_add_cohort_members",
        lambda ctx: {
            "members": [
                _member(("idnumber", f"{ctx['tag']}-cohort"), ("username", f"{ctx['tag']}a")),
                _member(("idnumber", f"{ctx['tag']}-cohort"), ("username", f"{ctx['tag']}zz")),
                _member(("idnumber", f"{ctx['tag']}-cohort"), ("idnumber", f"{ctx['tag']}-b")),
                _member(("name", "x"), ("username", f"{ctx['tag']}a")),
            ]
        },
        write=True,
        needs=("cohort_id", "user_a_id"),
    ),
    Case(
        "ok",
        "core_cohort_delete_cohort_members",
        lambda ctx: {
            "members": [
                {"cohortid": ctx["cohort_id"], "userid": ctx["user_a_id"]},
                {"cohortid": ctx["cohort_id"], "userid": ctx["user_a_id"]},
            ]
        },
        write=True,
        needs=("cohort_id", "user_a_id"),
    ),
    # ---- teardown: run even when a case above failed ----------------------------
    Case(
        "ok",
        "core_cohort_delete_cohorts",
        lambda ctx: {"cohortids": [ctx["cohort_id"]]},
        write=True,
        teardown=True,
        needs=("cohort_id",),
    ),
    Case(
        "ok",
        "core_user_delete_users",
        lambda ctx: {"userids": [ctx["user_a_id"], ctx["user_b_id"]]},
        write=True,
        teardown=True,
        needs=("user_a_id", "user_b_id"),
    ),
    Case(
        "ok",
        "core_course_delete_courses",
        lambda ctx: {"courseids": [ctx["course_id"]]},
        write=True,
        teardown=True,
        needs=("course_id",),
    ),
    Case(
        "ok",
        "core_course_delete_categories",
        lambda ctx: {"categories": [{"id": ctx["category_id"], "recursive": 1}]},
        write=True,
        teardown=True,
        needs=("category_id",),
    ),
]


def placeholders(tag: str = "<tag>") -> dict:
    """A context whose every value is its own placeholder: builds a request template."""

    class Template(dict):
        def __missing__(self, key):
            return f"<{key}>"

    return Template(tag=tag)


def fill(template: Any, ctx: dict) -> Any:
    """A recorded request template with the run's values in place of `<key>` placeholders."""
    if isinstance(template, dict):
        return {k: fill(v, ctx) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, ctx) for v in template]
    if isinstance(template, str) and "<" in template:
        for key, value in ctx.items():
            marker = f"<{key}>"
            if template == marker:
                return value
            if marker in template and isinstance(value, (str, int)):
                template = template.replace(marker, str(value))
    return template
