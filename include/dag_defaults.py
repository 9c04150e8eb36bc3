"""The house rules every DAG follows: owner, tags, retries with back-off, timeouts.

`PIPELINES_RETRY_DELAY_SECONDS` shortens the retry delay (the tests set it to
0 so a retried task does not make a test wait); production keeps the default.
"""

from __future__ import annotations

import os
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


def default_args(retries: int = 3, execution_timeout: timedelta = DEFAULT_TIMEOUT) -> dict:
    """Defaults for tasks; tasks that call an external system keep the retries; every task
    has an `execution_timeout` (heavy tasks set a longer one)."""
    delay = float(os.environ.get("PIPELINES_RETRY_DELAY_SECONDS", "60"))
    return {
        "owner": OWNER,
        "retries": retries,
        "retry_delay": timedelta(seconds=delay),
        "retry_exponential_backoff": 2.0 if delay else 0,
        "max_retry_delay": timedelta(minutes=30),
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
