"""The contract cases: every web-service function the project calls, as requests.

The functions are listed here, by who needs them; the cases are in three
modules, run in this order (`CASES`):
- `read_cases.py`: read cases (`write=False`) change nothing on the site;
- `write_cases.py`: write cases (`write=True`) on fixtures of their own, all
  named with the run's unique tag (`fixtures.py`), which need the fixture
  functions (`FIXTURE_FUNCTIONS`) in the service;
- `fixtures.TEARDOWN_CASES` (`teardown=True`): the fixtures removed, run even
  when an earlier case fails.
What a case is and how its request is recorded: `case.py`.
"""

from __future__ import annotations

from include.moodle_contract.case import Case
from include.moodle_contract.fixtures import TEARDOWN_CASES
from include.moodle_contract.read_cases import READ_CASES
from include.moodle_contract.write_cases import WRITE_CASES

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
MAX_INPUT_VARS = 5000  # PHP's setting on the recorded site (Moodle requires >= 5000)

CASES: list[Case] = [*READ_CASES, *WRITE_CASES, *TEARDOWN_CASES]
