"""# eios_sync — EIOS faculties → Moodle users and group cohorts, with a mass-graduation guard

## Purpose
Reads every configured faculty's student roster from the university information
system (EIOS, connection `eios_default`), checks it, and makes Moodle match it:
creates students (idnumber = EIOS `student_id`), updates names and e-mails,
moves students between group cohorts (`group:<code>`), suspends those who left
and unsuspends those reinstated. Never deletes a user or a cohort.

The graph is bounded by the work, not by faculties × steps (issue 16): one task per
step for all faculties, and an apply task only for the faculties that have actions:
`resolve_settings → extract_students` (the faculties listed, then every faculty's
roster, at most `eios_concurrency` EIOS requests at a time; a faculty whose feed fails is
not synced, the others go on) `→ check_quality` (the gate: each faculty checked on its
own, its rejects file and reject share its own) `→ plan_changes` (one plan for every
faculty: Moodle read with one query for users and one for cohort members, one set-based
diff) and beside it `check_accepted_rows` (one GX suite over all accepted rows,
blocking) `→ check_mass_graduation` (waits for both; the guard: each faculty judged on
its own share; returns the faculties with actions for Moodle) `→ apply_changes` (mapped
over those faculties only: none on an unchanged re-run) `→ record_faculty_state`
(every faculty's results, watermark and held actions); then, only when the guard held a
faculty, a person decides in Airflow's *Required actions* (`check_held_faculties →
decide_held_faculties → apply_approved_faculties`; nothing held: a short circuit skips
the last two); then `report_run` (the history CSV, then the report row; beside it
`prune_history`) `→ verify_nothing_held` (docs/eios_sync.md). An unchanged re-run is 14
task instances, whatever the number of faculties; its critical path is 9 of them, and
the scheduler's idle sleep (0.25 s in our Airflow settings, 1 s by Airflow's default)
is paid between each two.

A student listed by several faculties (a transfer: `expelled` in the old feed,
`studying` in the new one) is resolved by one rule: the latest `changed_at` wins; on
a tie a `studying` row beats a leaving one (then the faculty id first in sort order).
The department and cohort move once, and a re-run changes nothing.

## Schedule
Daily at 02:30 UTC; no catch-up (each run continues from each faculty's watermark).

## Settings
JSON Variable `eios_sync` (model `EiosSyncSettings`; a bad value fails the run at once):
`faculties` (EIOS ids; empty = all), `scan_from` (first run's lower bound of
`changed_at`), `mass_graduation_threshold_pct` (default 30),
`guard_min_active_students` (default 20), `per_faculty_limit` (changed students per
faculty per run, oldest first; 0 = no limit), `history_retention_days` (30),
`username_template` (default `{login}`; fields login, student_id, record_book,
first_name, last_name, faculty_id), `auth` (new users' auth plugin, default
`manual` with a generated password), `on_leave` (`suspend` |
`suspend_and_remove_from_cohort`), `ws_batch_size` (500 items per call at most),
`ws_max_input_vars` (5000: the Moodle server's PHP `max_input_vars`; every call is sized
by its form fields to stay under it with a 2 % margin, because PHP silently cuts a longer
request), `allow_accounts_same_email` (false: Moodle's `allowaccountssameemail`; set it
as the site has it), `eios_page_size` (1000 students per EIOS page), `eios_max_pages`
(1000: a students feed past this many pages stops with an error), `eios_concurrency` (4
EIOS requests at a time),
`reject_share_max_pct` (5), `group_code_pattern`, `dry_run`, `approval_timeout_hours`
(20, under 24: how long the question about held faculties waits; no answer keeps them
held).

## Params
Every setting above as a param of the same name (empty = the Variable's value), plus
`confirm_mass_graduation` (faculty ids whose held leaving actions this run applies
without asking: for scripts)
and `rescan_from` (a date: re-scan from it instead of the watermark). By hand:
dry run `{"dry_run": true}`; confirm a held faculty `{"confirm_mass_graduation":
["ECON"]}`; re-scan `{"rescan_from": "2026-09-01"}`.

## Outputs
Moodle users and cohorts; `eios_sync/history/YYYY-MM-DD_HH-MM-SS.csv` in the store
(time, faculty, student, username, action, old, new, result: applied, failed: …,
held, planned, reported); `eios_sync/rejects/<run>/<faculty>.csv`; tables
`eios_watermark`, `eios_held_action`; the run's `pipeline_run_report` row. A faculty
released by a person: its rows' result reads `applied (approved by <user> at <time>)`,
and the report's summary and counts (`approved_by`, `approved_at`, `released`,
`kept_held`) say who released what.

## Data quality
`check_quality` checks every row against the feed's schema first
(`include/eios/feed.py`: types, required fields, formats, ranges; a failing row is
rejected with its field and reason, the others go on), then the row rules; every
rejected row goes to the rejects file (`key`, `field`, `reason`) and once per key to
the table `feed_reject` (feed `eios_students`), reported in each run's summary until
EIOS fixes it; it never holds back the good rows or the watermark. An answer that is
not JSON or not `{items, next_page_token}` is logged by `extract_students` with EIOS's
text and that faculty is not synced (every faculty failing fails the task).
The row rules reject rows (student_id missing or repeated, names missing or with a
tag, unknown status, another faculty, an e-mail Moodle's `validate_email()` refuses
(PHP's `FILTER_VALIDATE_EMAIL`, no `<`/`>`: `ivan..tochkin@…` is refused), group code
off the pattern, `changed_at` in the future, a username `clean_param(PARAM_USERNAME)`
would change) into the rejects file; above `reject_share_max_pct` the faculty is not
synced (its summary in `check_quality`'s log and XCom, `quality_error`), the other
faculties go on, and `verify_nothing_held` fails the run naming it. A failed GX suite
fails `check_quality` (nothing is planned). `plan_changes` adds the rows Moodle would
refuse given its state: a new student without an e-mail, and (unless
`allow_accounts_same_email`) an e-mail to be sent that another account uses or another
row of the feed wants. Nothing Moodle would refuse is sent.

A write counts only when Moodle says so: members are added by `username` (new users) or
by `id` (read from Moodle's database in the plan's one query), never by idnumber, which
Moodle does not take; every warning is matched to its row by the value it echoes, and a
warning that names no row fails its whole batch; `update_users` warnings are per row;
for calls that answer nothing per row (member add and delete, suspensions, cohort
archives) one read-back query per batch confirms each row, so a cut or partly ignored
call shows as `failed: not applied: …` rows.
The guard: when a faculty's planned suspensions reach the threshold share of its
active Moodle students, or EIOS returns no student for a faculty with active ones,
its leaving actions are held (CSV `held`, table `eios_held_action`); creates and
updates still apply; other faculties are unaffected. The run then waits in
`decide_held_faculties` (state *awaiting input*, listed under the UI's **Required
actions**, a mail sent): its text lists each held faculty with its counts, the guard's
reason and a link to its held list (LMS pipelines → EIOS); one option per held
faculty, several may be chosen, **no default**. The chosen faculties' held actions
are applied in the same run (`apply_approved_faculties`, as `confirm_mass_graduation`
would); the others stay held and the next run asks again (a decision: the run
succeeds, its report says `held`). No answer within `approval_timeout_hours`: the
question fails, nothing is released and `verify_nothing_held` fails the run. Over
REST: `PATCH /api/v2/dags/eios_sync/dagRuns/<run>/taskInstances/decide_held_faculties/-1/hitlDetails`
with `{"chosen_options": ["ECON"]}`.
No input from another DAG (EIOS, Moodle and its own watermarks and held actions
only), so no upstream-coverage gate.

## Re-run and backfill
The plan is a diff of EIOS against Moodle's current state, so a re-run of any date
changes nothing and creates no duplicate. Held or failed rows pin the watermark, so
the next run reads them again; a failed batch is completed by the next run.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag

from include.config import EiosSyncSettings
from include.dag_defaults import dag_args
from include.tasks.eios_approval import (
    apply_approved_faculties,
    check_held_faculties,
    decide_held_faculties,
)
from include.tasks.eios_sync import (
    apply_changes,
    check_accepted_rows,
    check_mass_graduation,
    check_quality,
    extract_students,
    plan_changes,
    prune_history,
    record_faculty_state,
    report_run,
    resolve_settings,
    verify_nothing_held,
)
from include.tasks.settings import date_param, params_from


@dag(
    dag_id="eios_sync",
    description="Make Moodle users and group cohorts match the EIOS rosters, with a guard",
    schedule="30 2 * * *",
    doc_md=__doc__,
    tags=["eios", "moodle"],
    params={
        **params_from(EiosSyncSettings, list(EiosSyncSettings.model_fields)),
        "confirm_mass_graduation": Param(
            [],
            type=["array", "null"],  # nullable: not marked "required" in the trigger form
            description="faculty ids whose held leaving actions to apply now",
        ),
        "rescan_from": date_param("re-scan from this date (YYYY-MM-DD)"),
    },
    **dag_args(dagrun_timeout=timedelta(hours=6)),
)
def eios_sync():
    config = resolve_settings()
    extracted = extract_students(config)
    checked = check_quality(config, extracted)
    planned = plan_changes(config, checked)  # beside the GX suite: neither needs the other
    sending = check_mass_graduation(config, planned)  # the faculties with actions for Moodle
    check_accepted_rows(config, checked) >> sending  # nothing reaches Moodle unless it passed
    applied = apply_changes.partial(config=config).expand(guarded=sending)
    recorded = record_faculty_state(config, applied)
    held = check_held_faculties(config, recorded)  # nothing held: the next two skip
    approval = apply_approved_faculties(config, held)
    held >> decide_held_faculties() >> approval
    report = report_run(config, extracted)
    approval >> [report, prune_history(config)]
    verify_nothing_held(report)


eios_sync()
