"""The write cases (`write=True`): successes, errors and warnings of every write function.

They work only on the run's own fixtures (`fixtures.py`), created here in order
and removed by the teardown cases at the end. They need the fixture functions
(`cases.FIXTURE_FUNCTIONS`) in the service.
"""

from __future__ import annotations

from include.moodle_contract.case import BAD_EMAIL, NO_SUCH_ID, Case
from include.moodle_contract.fixtures import (
    cohort,
    created,
    member,
    truncated_create,
    user,
    user_ids,
    write_case,
    write_module,
)


def _tagged_email(ctx: dict, letter: str) -> str:
    return f"{ctx['tag']}{letter}@contract-check.example.edu"


def _member_warnings(ctx: dict) -> dict:
    """One member in twice, one unknown user, one user by idnumber, one cohort by a bad type."""
    tagged_cohort = ("idnumber", f"{ctx['tag']}-cohort")
    return {
        "members": [
            member(tagged_cohort, ("username", f"{ctx['tag']}a")),
            member(tagged_cohort, ("username", f"{ctx['tag']}zz")),
            member(tagged_cohort, ("idnumber", f"{ctx['tag']}-b")),
            member(("name", "x"), ("username", f"{ctx['tag']}a")),
        ]
    }


CATEGORIES: list[Case] = [
    created(
        "ok",
        "core_course_create_categories",
        "categories",
        lambda ctx: {
            "name": f"Pipelines contract check {ctx['tag']}",
            "idnumber": f"{ctx['tag']}-category",
            "parent": 0,
            "description": "Created and removed by make check-moodle",
        },
        "category_id",
    ),
    created(
        "child",
        "core_course_create_categories",
        "categories",
        lambda ctx: {
            "name": f"Archive {ctx['tag']}",
            "idnumber": f"{ctx['tag']}-archive",
            "parent": ctx["category_id"],
        },
        "archive_category_id",
        "category_id",
    ),
    write_case(
        "duplicate_idnumber",
        "core_course_create_categories",
        lambda ctx: {
            "categories": [{"name": "Duplicate", "idnumber": f"{ctx['tag']}-category", "parent": 0}]
        },
        "category_id",
    ),
    write_case(
        "test_category",
        "core_course_get_categories",
        lambda ctx: {"criteria": [{"key": "idnumber", "value": f"{ctx['tag']}-category"}]},
        "category_id",
        values=("0.name", "1.name", "2.name"),
    ),
]

COURSES: list[Case] = [
    created(
        "ok",
        "core_course_create_courses",
        "courses",
        lambda ctx: {
            "fullname": f"Contract check course {ctx['tag']}",
            "shortname": f"{ctx['tag']}-course",
            "categoryid": ctx["category_id"],
        },
        "course_id",
        "category_id",
    ),
    write_case(
        "test_course",
        "core_course_get_contents",
        lambda ctx: {"courseid": ctx["course_id"]},
        "course_id",
        simplifies="the stand-in answers no section availability or module custom data",
    ),
    write_case(
        "ok",
        "core_course_delete_modules",
        lambda ctx: {"cmids": [ctx["module_id"]]},
        "course_id",
        prepare=write_module,
    ),
    write_case(
        "archive",
        "core_course_update_courses",
        lambda ctx: {
            "courses": [
                {"id": ctx["course_id"], "categoryid": ctx["archive_category_id"], "visible": 0}
            ]
        },
        "course_id",
        "archive_category_id",
    ),
    write_case(
        "after_archive",
        "core_course_get_courses_by_field",
        lambda ctx: {"field": "id", "value": ctx["course_id"]},
        "course_id",
        values=("courses.0.visible", "courses.0.categoryname"),
    ),
]

USERS: list[Case] = [
    write_case(
        "ok",
        "core_user_create_users",
        lambda ctx: {"users": [user(ctx, "a"), user(ctx, "b")]},
        save=user_ids,
    ),
    write_case(
        "duplicate_username",
        "core_user_create_users",
        lambda ctx: {"users": [user(ctx, "c"), user(ctx, "a", email=f"{ctx['tag']}x@x.edu")]},
        "user_a_id",
    ),
    write_case(
        "duplicate_email",
        "core_user_create_users",
        lambda ctx: {"users": [user(ctx, "c", email=_tagged_email(ctx, "a"))]},
        "user_a_id",
        simplifies="the stand-in refuses a second account with an e-mail in use, as a "
        "site with allowaccountssameemail = 0 (Moodle's default) does",
    ),
    write_case(
        "invalid_email",
        "core_user_create_users",
        lambda ctx: {"users": [user(ctx, "c"), user(ctx, "d", email=BAD_EMAIL)]},
        simplifies="the stand-in's e-mail check is a regular expression close to "
        "PHPMailer's validateAddress, not PHPMailer itself",
    ),
    write_case(
        "blank_firstname",
        "core_user_create_users",
        lambda ctx: {"users": [user(ctx, "c", firstname="")]},
    ),
    write_case(
        "truncated_by_max_input_vars",
        "core_user_create_users",
        truncated_create,
        generated="600 users of the nine fields eios_sync sends (5403 form fields); the "
        "last user's e-mail is invalid so that no site creates anyone",
        simplifies="the stand-in keeps the first max_input_vars form fields (its setting "
        "SANDBOX_MOODLE_MAX_INPUT_VARS, default 5000) as PHP does",
    ),
    write_case(
        "ok",
        "core_user_update_users",
        lambda ctx: {"users": [{"id": ctx["user_a_id"], "suspended": 1}]},
        "user_a_id",
    ),
    write_case(
        "per_user_warnings",
        "core_user_update_users",
        lambda ctx: {
            "users": [
                {"id": ctx["user_a_id"], "email": BAD_EMAIL},
                {"id": ctx["user_b_id"], "email": _tagged_email(ctx, "a")},
                {"id": ctx["user_a_id"], "username": f"{ctx['tag']}b"},
                {"id": NO_SUCH_ID, "firstname": "Nobody"},
                {"id": ctx["user_b_id"], "firstname": "Renamed"},
            ]
        },
        "user_a_id",
        "user_b_id",
    ),
    write_case(
        "after_update",
        "core_user_get_users_by_field",
        lambda ctx: {"field": "id", "values": [ctx["user_a_id"], ctx["user_b_id"]]},
        "user_a_id",
        "user_b_id",
        values=("0.username", "0.email", "0.suspended", "1.firstname", "1.email"),
    ),
]

COHORTS: list[Case] = [
    created(
        "ok",
        "core_cohort_create_cohorts",
        "cohorts",
        lambda ctx: cohort(
            f"Contract check {ctx['tag']}",
            f"{ctx['tag']}-cohort",
            description="Created and removed by make check-moodle",
            visible=1,
        ),
        "cohort_id",
    ),
    write_case(
        "duplicate_idnumber",
        "core_cohort_create_cohorts",
        lambda ctx: {"cohorts": [cohort("Duplicate", f"{ctx['tag']}-cohort")]},
        "cohort_id",
    ),
    write_case(
        "ok",
        "core_cohort_update_cohorts",
        lambda ctx: {
            "cohorts": [
                cohort(
                    f"Contract check {ctx['tag']} (graduated)",
                    f"{ctx['tag']}-cohort",
                    ctx["cohort_id"],
                    visible=0,
                )
            ]
        },
        "cohort_id",
    ),
    write_case(
        "test_cohort",
        "core_cohort_get_cohorts",
        lambda ctx: {"cohortids": [ctx["cohort_id"]]},
        "cohort_id",
        values=("0.name", "0.visible"),
    ),
    write_case(
        "by_username_and_id",
        "core_cohort_add_cohort_members",
        lambda ctx: {
            "members": [
                member(("idnumber", f"{ctx['tag']}-cohort"), ("username", f"{ctx['tag']}a")),
                member(("id", ctx["cohort_id"]), ("id", ctx["user_b_id"])),
            ]
        },
        "cohort_id",
        "user_a_id",
        "user_b_id",
    ),
    write_case(
        "per_member_warnings",
        "core_cohort_add_cohort_members",
        _member_warnings,
        "cohort_id",
        "user_a_id",
    ),
    write_case(
        "ok",
        "core_cohort_delete_cohort_members",
        lambda ctx: {
            "members": [
                {"cohortid": ctx["cohort_id"], "userid": ctx["user_a_id"]},
                {"cohortid": ctx["cohort_id"], "userid": ctx["user_a_id"]},
            ]
        },
        "cohort_id",
        "user_a_id",
    ),
]

# In the order they run: each group works on what the groups before it made.
WRITE_CASES: list[Case] = [*CATEGORIES, *COURSES, *USERS, *COHORTS]
