"""`make demo`'s terminal: one progress line per DAG and the summary; Airflow's log in a file.

The demo itself uses the shared demo databases, so these tests call its functions
in the test environment (the `<prefix>_…` databases) instead of running `make demo`.
"""

from __future__ import annotations

import logging
import subprocess

import pytest

from include.sandbox import demo
from include.sandbox.demo_data import vouchers
from include.sandbox.environment import LOCAL_DIR
from tests.airflow_runs import assert_reads_as_a_sentence
from tests.conftest import PREFIX

LOG = LOCAL_DIR / f"demo-{PREFIX}.log"


def test_progress_line_of_a_good_and_a_failed_run():
    good = {"dag_id": "eios_sync", "state": "success", "seconds": 12.3}
    assert demo.progress_end(good, LOG) == "success in 12.3 s"
    failed = {"dag_id": "voucher_acts", "state": "failed", "seconds": 3.0,
              "failed_tasks": ["check_acts", "report_acts"]}  # fmt: skip
    line = demo.progress_end(failed, LOG)
    assert line.startswith("failed in 3.0 s (failed: check_acts, report_acts; search ")
    assert f"{LOG.name} for voucher_acts" in line
    crashed = {"dag_id": "exam_archive", "state": "error", "seconds": 0.4}
    assert (
        demo.progress_end(crashed, LOG)
        == f"error in 0.4 s (search .local/{LOG.name} for exam_archive)"
    )


def test_summary_names_the_log_and_every_failure():
    results = [
        {"dag_id": "eios_sync", "run_id": "r1", "state": "success", "seconds": 2.0},
        {"dag_id": "voucher_acts", "run_id": "r2", "state": "failed", "seconds": 1.5,
         "failed_tasks": ["check_acts"]},
    ]  # fmt: skip
    reports = {
        "eios_sync": ("3 changes applied, 0 planned", {"history_csv": "s3://h.csv", "x": None})
    }
    lines = demo.summary_lines(results, reports, LOG)
    assert lines[1] == "=== make demo: summary ==="
    assert "- eios_sync: success in 2.0 s" in lines
    assert "    3 changes applied, 0 planned" in lines
    assert "    history_csv: s3://h.csv" in lines and not any("x: None" in x for x in lines)
    assert lines[-1] == (
        f"1 DAG did not succeed: voucher_acts. The full Airflow log: .local/{LOG.name}"
        " (search it for the task ids above)."
    )
    everything_ok = demo.summary_lines(results[:1], reports, LOG)
    assert everything_ok[-1] == f"The full Airflow log: .local/{LOG.name}"
    for line in lines:
        assert_reads_as_a_sentence(line)


def test_output_goes_to_the_log_file_and_progress_to_the_terminal(capfd, airflow_db):
    import structlog

    with demo.output_to_log(LOG) as terminal:
        terminal.write("eios_sync … success in 1.0 s\n")
        print("a task's print")
        logging.getLogger("airflow.models.dagrun").warning("an airflow warning")
        structlog.get_logger(logger_name="airflow.sdk.api.client").error("a structlog error")
        subprocess.run(["echo", "a child process"], check=True)
    shown = capfd.readouterr()
    assert shown.out == "eios_sync … success in 1.0 s\n"
    assert shown.err == ""
    text = LOG.read_text()
    for line in ("a task's print", "an airflow warning", "a structlog error", "a child process"):
        assert line in text
    assert "\x1b[" not in text  # no colour codes in a file
    print("after")  # the terminal is back
    assert capfd.readouterr().out == "after\n"


@pytest.mark.usefixtures("airflow_db")
def test_a_demo_run_prints_one_line_and_logs_the_rest(fresh_stack, capfd):
    runs = vouchers.DEMO_RUNS
    assert "voucher_ingest" in runs
    results = demo.run_all_dags(LOG, only=["voucher_ingest"])
    out = capfd.readouterr().out
    assert [r["state"] for r in results] == ["success"], results
    assert out.count("\n") == 1 and out.startswith("voucher_ingest … success in "), out
    text = LOG.read_text()
    assert "[DAG TEST] end task task_id=report_ingest" in text  # Airflow's log is in the file
    assert "[error" not in text and "XCom not found" not in text  # a good run logs no error
