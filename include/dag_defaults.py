"""The house rules every DAG follows: owner, tags, retries, timeouts.

Retries (docs/architecture.md, "Retries"): one layer per failure. A transient error of
a call (a 503, a timeout, a dropped database connection) is retried inside its hook,
with exponential back-off, seconds apart. Airflow's task retries are for a task that
failed whole (the hook gave up, the worker died): `TASK_RETRIES` of them, after
Airflow's own setting `[core] default_task_retry_delay`
(`AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY`, 300 s unless set; the tests set 0). No task
code reads a test-only knob.
"""

from __future__ import annotations

from datetime import timedelta

OWNER = "lms-pipelines"

# Tags come from this known set: one pipeline tag and the source systems.
PIPELINE_TAGS = {"eios", "recordings", "exams", "vouchers", "courses"}
SYSTEM_TAGS = {"moodle", "eios", "kontur-talk", "kindergarten-lms", "voucher-registry"}
KNOWN_TAGS = PIPELINE_TAGS | SYSTEM_TAGS

# The headings of every DAG's doc_md (the module docstring).
DOC_HEADINGS = (
    "Purpose",
    "Schedule",
    "Settings",
    "Params",
    "Outputs",
    "Data quality",
    "Re-run and backfill",
)


# How the trigger form labels an enum param's `None` (= "use the Variable's setting").
UNSET_CHOICE_LABEL = "(the setting)"


def choices_display(choices: tuple[str, ...], unset: str = UNSET_CHOICE_LABEL) -> dict[str, str]:
    """`values_display` for an enum param `[None, *choices]`: the form shows `unset`
    instead of "null". Every choice is listed because the form labels a value missing
    from `values_display` with its "None" entry, or else the value itself."""
    return {"null": unset, **{choice: choice for choice in choices}}


# execution_timeout of every task: a task that hangs on an external system (an endless
# page loop, a socket that never answers) ends and is retried instead of wedging the
# schedule. The default fits every read and small step with a wide margin (at full
# scale they take seconds to a few minutes: bench/); heavy tasks override it.
DEFAULT_TIMEOUT = timedelta(minutes=30)
API_READ_TIMEOUT = timedelta(minutes=10)  # a Kontur.Talk poll: seconds at full scale
HEAVY_TIMEOUT = timedelta(minutes=60)  # batched writes, a month of acts, a region's PDFs
LONG_TIMEOUT = timedelta(hours=2)  # one course backup (its CLI has its own 1 h limit)
# A quiz's PDFs: 5 000 attempts on one date take 8-15 min for all quizzes (docs/exam_archive.md);
# one mapped task may hold most of them on a slow worker.
RENDER_TIMEOUT = timedelta(hours=2)


# Whole-task retries of a task that calls an external system: one, minutes later (the
# hook has already retried the call's transient errors). A down system therefore sees
# at most 2 x the hook's attempts (3 by default, 4-5 for some systems), not 4 x 4.
TASK_RETRIES = 1


def default_args(
    retries: int = TASK_RETRIES, execution_timeout: timedelta = DEFAULT_TIMEOUT
) -> dict:
    """Defaults for tasks; tasks that call an external system keep the retries (pure
    steps and quality gates set `retries=0`: a retry would give the same answer); every
    task has an `execution_timeout` (heavy tasks set a longer one). `retry_delay` is not
    set here: Airflow's `[core] default_task_retry_delay` applies."""
    return {
        "owner": OWNER,
        "retries": retries,
        "execution_timeout": execution_timeout,
    }


def run_moment(context):
    """The moment a run stands for: its logical date, or when it was triggered
    (a manual run of a DAG without a data interval has no logical date)."""
    return context.get("logical_date") or context["dag_run"].run_after


def mapped_results(results) -> list:
    """The values a mapped task returned, as a list, read in one request.

    Iterating Airflow's lazy sequence of mapped results (`for r in results`,
    `sum(...)`, `list(results)`) asks for one item past the end, and the execution
    API logs that miss as `[error] XCom not found … offset=N` on a good run; a
    slice is a single request that logs nothing. `None` (nothing ran) reads as [].
    """
    return [] if results is None else list(results[:])


def run_failed_mail():
    """Every DAG's `on_failure_callback`: a mail with the run's summary and a link to the
    run, sent through the Connection `smtp_default` (include/notifications.py)."""
    from include.notifications import run_failed_notifier

    return run_failed_notifier()


def dag_args(**overrides) -> dict:
    """The `@dag` arguments the house's DAGs share: no catch-up from the first date, one
    run at a time, the task defaults above, the failure mail. A DAG names any it sets
    otherwise (`dag_args(max_active_runs=2)`)."""
    import pendulum

    return {
        "start_date": pendulum.datetime(2026, 1, 1, tz="UTC"),
        "catchup": False,
        "max_active_runs": 1,
        "default_args": default_args(),
        "on_failure_callback": run_failed_mail(),
        **overrides,
    }
