"""The read cases (`write=False`): nothing on the site changes.

They read existing data, or send a request Moodle refuses before it writes (an
unknown id, a bad type): `make check-moodle` runs only these unless `--write`.
"""

from __future__ import annotations

from include.moodle_contract.case import NO_SUCH_ID, Case
from include.moodle_contract.fixtures import cohort, first_course, first_id, member, site_info

READ_CASES: list[Case] = [
    Case(
        "ok",
        "core_webservice_get_site_info",
        save=site_info,
        simplifies="the stand-in lists no `functions` and answers only the fields the "
        "project reads (sitename, user, release, version)",
    ),
    Case("bad_token", "core_webservice_get_site_info", token="not-a-valid-token-0"),
    Case("unknown_function", "core_no_such_function"),
    Case("all", "core_course_get_categories", save=first_id("existing_category_id")),
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
        save=first_course,
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
        lambda ctx: {"cohorts": [cohort("no such cohort", f"{ctx['tag']}-none", NO_SUCH_ID)]},
    ),
    Case(
        "usertype_idnumber",
        "core_cohort_add_cohort_members",
        lambda ctx: {"members": [member(("id", NO_SUCH_ID), ("idnumber", "1001"))]},
    ),
    Case(
        "missing_cohort",
        "core_cohort_add_cohort_members",
        lambda ctx: {
            "members": [
                member(("idnumber", f"{ctx['tag']}-none"), ("username", ctx["ws_username"]))
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
]
