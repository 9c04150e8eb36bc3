"""The task bodies of eios_sync; dags/eios_sync.py wires them.

The task layer of eios_sync (include/tasks/): it reads EIOS (EiosHook) and
Moodle's database (MoodleDbHook), calls Moodle's web services (MoodleWsHook),
keeps the watermarks, held actions and feed rejects (PipelinesDbHook) and the
run's files (the store); include/eios/ holds the pure logic it calls. Frames go
through the store as JSON; XCom carries paths and counts. What the tasks do at
length lives beside them: the quality gate and the plan in include/tasks/eios_plan.py,
the web-service apply and its read-back in include/tasks/eios_apply.py, the question
about held faculties in include/tasks/eios_approval.py, the store and the project
database's state in include/tasks/eios_state.py.

The graph is bounded by the work, not by faculties x steps: one extract task reads
every faculty (a bounded pool of EIOS requests), one quality gate checks each faculty
on its own, one plan diffs every faculty against one read of Moodle while one GX suite
checks all accepted rows beside it, one guard judges
each faculty's own share, and only the faculties with something to send to Moodle get
an apply task (mapped). An unchanged re-run is 14 task instances whatever the
faculties.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from airflow.sdk import task

from include.config import EiosSyncSettings, SettingsError
from include.dag_defaults import HEAVY_TIMEOUT
from include.eios.guard import mass_graduation_guard
from include.tasks.eios_apply import apply_faculty, to_send
from include.tasks.eios_plan import check_accepted_suite, check_faculties, plan_faculties
from include.tasks.eios_report import run_report, visible_problems
from include.tasks.eios_state import (
    DAG_ID,
    faculties_to_scan,
    prune_files,
    read_json,
    record_state,
    run_file,
    settings_from,
    work,
    write_history,
    write_json,
)

log = logging.getLogger(__name__)


# --- settings and faculties --------------------------------------------------


@task(retries=0)
def resolve_settings(params: dict | None = None, dag_run=None) -> dict:
    """The Variable plus run-param overrides, validated once; and the run's identity for
    its files (so eios keeps its own body rather than include/tasks/settings.py's: it also
    stamps the run). Later tasks read `config["settings"]`, never the Variable."""
    from include.config import load_settings

    params = dict(params or {})
    settings = load_settings(EiosSyncSettings, DAG_ID, params)
    started = (dag_run.start_date or datetime.now(UTC)).astimezone(UTC)
    rescan = params.get("rescan_from")
    if rescan:
        try:
            datetime.fromisoformat(str(rescan))
        except ValueError:
            raise SettingsError(f"rescan_from: not a date: {rescan!r}") from None
    return {
        "settings": settings.model_dump(mode="json"),
        "run": {
            "run_id": dag_run.run_id,
            "key": re.sub(r"[^A-Za-z0-9_.-]+", "_", dag_run.run_id),
            "stamp": started.strftime("%Y-%m-%d_%H-%M-%S"),
            "time": started.strftime("%Y-%m-%d %H:%M:%S"),
        },
        "confirm": [str(f) for f in params.get("confirm_mass_graduation") or []],
        "rescan_from": str(rescan) if rescan else None,
    }


def list_faculties(config: dict) -> list[dict]:
    """One entry per faculty to scan, with its lower bound of `changed_at`; a bad
    `faculties` or `confirm_mass_graduation` fails at once (AirflowFailException)."""
    from include.connectors.eios import EiosHook

    settings = settings_from(config["settings"])
    known = {str(f["id"]): f["name"] for f in EiosHook().faculties()}
    wanted = [str(f) for f in settings.faculties] or sorted(known)
    unknown = sorted(set(wanted) - set(known))
    from airflow.sdk.exceptions import AirflowFailException

    if unknown:  # a bad setting: fail at once, no retry
        raise AirflowFailException(str(SettingsError(f"faculties: not in EIOS: {unknown}")))
    not_scanned = sorted(set(config["confirm"]) - set(wanted))
    if not_scanned:
        raise AirflowFailException(
            str(SettingsError(f"confirm_mass_graduation: faculties not scanned: {not_scanned}"))
        )
    return faculties_to_scan(wanted, known, config, settings.scan_from)


# --- extract, check, plan, guard ---------------------------------------------------------


def extract_faculty(faculty: dict, config: dict) -> dict:
    """One faculty's whole roster from EIOS, staged in the store (raises EIOS's error).

    The whole roster, not only rows changed since the watermark: "missing in
    EIOS" and the empty-feed guard need it; the watermark selects what is planned."""
    from include.connectors.eios import EiosHook

    settings = settings_from(config["settings"])
    # retries and back-off: the hook's policy (the connection's extra may set it)
    hook = EiosHook(page_size=settings.eios_page_size, max_pages=settings.eios_max_pages)
    items = hook.students(faculty["id"])
    path = write_json(work(config["run"], faculty["id"], "extract"), items)
    log.info("EIOS faculty %s: %d students", faculty["id"], len(items))
    return {**faculty, "extract": path, "rows": len(items)}


@task(execution_timeout=HEAVY_TIMEOUT)
def extract_students(config: dict, faculties: list[dict] | None = None) -> list[dict]:
    """The faculties to scan (`GET /faculties`, each with its lower bound of
    `changed_at`: `rescan_from`, else its watermark, else `scan_from`), then every
    faculty's roster, at most `eios_concurrency` EIOS requests at a time (a thread
    pool: the work is waiting on EIOS). A faculty whose feed fails after the hook's
    retries is not synced in this run (`extract_error`, EIOS's text; the others go
    on); when every faculty fails the task fails (and Airflow retries it).
    `faculties`: already listed (a caller outside the DAG)."""
    settings = settings_from(config["settings"])
    if faculties is None:
        faculties = list_faculties(config)

    def one(faculty: dict) -> dict:
        try:
            return extract_faculty(faculty, config)
        except Exception as exc:  # one faculty's EIOS error stops no other faculty
            log.error("EIOS faculty %s: not extracted: %s", faculty["id"], exc)
            return {**faculty, "extract_error": f"{type(exc).__name__}: {exc}", "error": exc}

    with ThreadPoolExecutor(max_workers=settings.eios_concurrency) as pool:
        results = list(pool.map(one, faculties))
    failed = [r for r in results if "error" in r]
    if failed and len(failed) == len(results):
        raise failed[0]["error"]
    return [{k: v for k, v in r.items() if k != "error"} for r in results]


@task  # retried: it writes feed_reject
def check_quality(config: dict, extracted: list[dict]) -> list[dict]:
    """Each faculty: the schema, then the row rules -> its rejects file and `feed_reject`;
    above the reject share that faculty is not synced (`quality_error`; the report and
    verify_nothing_held name it) and the others go on. The accepted rows are staged for
    check_accepted_rows (the GX suite) and plan_changes, which run side by side."""
    return check_faculties(extracted, config)


@task(retries=0)  # a retry would give the same answer
def check_accepted_rows(config: dict, checked: list[dict]) -> dict:
    """The blocking GX suite over every faculty's accepted rows as a whole (not null,
    unique per faculty, known statuses). Beside plan_changes, not before it: its
    import alone costs seconds and the plan does not need it; check_mass_graduation
    waits for both, so nothing reaches Moodle unless the suite passed."""
    from airflow.sdk.exceptions import AirflowFailException

    from include.quality import DataQualityError

    try:
        return check_accepted_suite(checked, config)
    except DataQualityError as exc:
        raise AirflowFailException(str(exc)) from exc


@task
def plan_changes(config: dict, checked: list[dict]) -> list[dict]:
    """One plan for every faculty: each student planned once across all faculties.

    Reads every checked faculty's accepted rows and Moodle's current state once (one
    query for users, one for cohort members, filtered to the run's students), resolves
    a student listed by several faculties to one row (the latest `changed_at`; on a tie
    `studying` beats a leaving status: include/eios/resolve.py), sends the rows Moodle
    would refuse given its state (a new user without an e-mail; an e-mail another
    account uses while `allow_accounts_same_email` is off) to the rejects file, and
    diffs all faculties' winning rows against Moodle at once (include/eios/site_plan.py).
    A student also listed by a faculty that failed its check in this run is not planned
    (its other row might be the winning one); that faculty's watermark stays, so the
    next run plans it. Returns one entry per checked faculty."""
    return plan_faculties(config, checked)


@task(retries=0)
def check_mass_graduation(config: dict, planned: list[dict]) -> list[dict]:
    """The guard, for each faculty on its own share. Every faculty's decision is staged
    (`guard.json`, read by record_faculty_state); returns the faculties that have
    actions to send to Moodle: the apply task is mapped over them only."""
    settings = settings_from(config["settings"])
    guarded = []
    for entry in planned:
        decision = mass_graduation_guard(
            entry["id"],
            leaving=entry["leaving"],
            active=entry["active_in_moodle"],
            feed_size=entry["rows"],
            threshold_pct=settings.mass_graduation_threshold_pct,
            min_active=settings.guard_min_active_students,
            confirmed=entry["confirmed"],
        )
        level = logging.WARNING if decision.held else logging.INFO
        log.log(level, "guard, faculty %s: %s", entry["id"], decision.reason)
        judged = {
            **entry,
            "held": decision.held,
            "empty_feed_held": decision.held and entry["rows"] == 0,
            "guard_reason": decision.reason,
            "share_pct": round(decision.share_pct, 1),
        }
        guarded.append({**judged, "to_send": to_send(judged, settings.dry_run)})
    write_json(run_file(config["run"], "guard"), guarded)
    sending = [g for g in guarded if g["to_send"]]
    log.info("faculties with actions for Moodle: %s", ", ".join(g["id"] for g in sending) or "none")
    return sending


# --- apply and record ----------------------------------------------------------


@task(execution_timeout=HEAVY_TIMEOUT, pool="moodle_ws")
def apply_changes(guarded: dict, config: dict) -> dict:
    """One faculty with actions: held actions set aside, the rest to Moodle in batches."""
    return apply_faculty(guarded, config, settings_from(config["settings"]))


@task(trigger_rule="all_done")
def record_faculty_state(config: dict | None, applied) -> list[dict]:
    """Every guarded faculty's results (the applied ones from apply_changes; the others,
    with nothing to send, written here without a call), then each faculty's watermark
    and held actions (nothing in a dry run). A faculty whose apply failed records
    nothing: it is not synced, and the next run plans it again."""
    from include.dag_defaults import mapped_results

    if config is None or not run_file(config["run"], "guard").exists():
        return []
    settings = settings_from(config["settings"])
    sent = {a["id"]: a for a in mapped_results(applied) if a}
    recorded = []
    for guarded in read_json(str(run_file(config["run"], "guard"))):
        if guarded["to_send"]:
            if guarded["id"] not in sent:
                log.error("faculty %s: apply_changes did not finish: not synced", guarded["id"])
                continue
            result = sent[guarded["id"]]
        else:
            result = apply_faculty(guarded, config, settings)
        recorded.append(record_state(result, config))
    return recorded


# --- the run as a whole --------------------------------------------------------


def _require_config(config: dict | None) -> dict:
    from airflow.sdk.exceptions import AirflowSkipException

    if config is None:
        raise AirflowSkipException("resolve_settings failed: nothing ran")
    return config


@task(trigger_rule="all_done")
def prune_history(config: dict | None, now: datetime | None = None) -> dict:
    """Remove history CSVs, rejects and staged work files older than the retention."""
    config = _require_config(config)
    settings = settings_from(config["settings"])
    now = now or datetime.now(UTC).replace(tzinfo=None)
    return prune_files(now, settings.history_retention_days)


@task(trigger_rule="all_done")
def report_run(
    config: dict | None, extracted: list[dict] | None, dag_run=None, logical_date=None
) -> dict:
    """The run's history CSV (every faculty that got as far as apply, and the released
    ones), then its report row; status `held` or `failed` when anything was held or
    failed; who released which held faculties, and when (`apply_approved_faculties`).
    (`dag_run` and `logical_date`: the run's clock, passed in by Airflow.)"""
    from airflow.sdk.exceptions import AirflowFailException

    if config is None or extracted is None:
        raise AirflowFailException(
            "eios_sync did not run: resolve_settings or extract_students failed (see its log: "
            "the message names the bad setting)"
        )

    from include.tasks.eios_approval import read_decision

    history = write_history(config["run"])
    dry_run = settings_from(config["settings"]).dry_run
    approval = read_decision(config)
    summary, counts, outputs, status = run_report(dry_run, history, extracted, approval)
    from include.reporting import record_run_report

    run = {"dag_run": dag_run, "logical_date": logical_date}
    return record_run_report(run, summary, counts, outputs, status=status)


@task(retries=0)
def verify_nothing_held(report: dict) -> None:
    """Fail visibly when rows failed, a faculty was not synced, or the guard held actions
    nobody decided on (the question timed out or was not asked). Faculties a person chose
    to keep held are a decision, not a failure: logged, and asked again next run."""
    from airflow.sdk.exceptions import AirflowFailException

    problems = visible_problems(report["counts"])
    if problems:
        raise AirflowFailException(
            "eios_sync ended visibly held: "
            + "; ".join(problems)
            + ". History CSV: "
            + str(report["outputs"].get("history_csv"))
        )
