"""`course_audit` end to end with dag.test() against the real MariaDB: the fixture
courses pass and fail each rule; a CSV per category and a Russian PDF report."""

from __future__ import annotations

import csv
import io
import os

import pytest
from pypdf import PdfReader

from tests.airflow_runs import assert_no_error_logs, run_dag
from tests.db import one

# retries without waiting (read when the DAG files are parsed, once per session)
os.environ.setdefault("PIPELINES_RETRY_DELAY_SECONDS", "0")


def _category(idnumber: str) -> int:
    return one("moodle", "SELECT id FROM mdl_course_categories WHERE idnumber = %s", idnumber)[0]


@pytest.fixture(scope="module")
def audited(mariadb, sandbox, airflow_db):
    from include.sandbox import stack
    from include.sandbox.demo_data import test_sizes
    from include.storage import store_root

    sandbox.reset()
    stack.reset_data(mariadb, sizes=test_sizes())
    result = run_dag("course_audit", conf={"root_category_id": _category("fsu-audit")})
    return result, store_root()


def _results(result) -> dict:
    return {r["shortname"]: r for r in result.xcom("render_course_audit")["results"]}


def test_the_audit_run_succeeds_with_a_visible_quality_gate(audited):
    result, _ = audited
    assert_no_error_logs(result)
    assert result.state_of("check_structure") == "success"


def test_courses_pass_and_fail_each_rule(audited):
    results = _results(audited[0])
    assert results["AUD-ONLINE-OK"]["passed"] and results["AUD-ONLINE-OK"]["score"] == 100
    assert (
        results["AUD-WEB-OK"]["passed"] and results["AUD-WEB-OK"]["delivery_model"] == "web_support"
    )
    assert results["AUD-LONG-ANNOT"]["malformed"] == ["1"]  # annotation over 400 characters
    assert results["AUD-SMALL-GLOSS"]["malformed"] == ["7"]  # 7 teacher terms (< 10)
    assert results["AUD-NO-LIT"]["missing"] == ["14"]  # no literature list
    assert results["AUD-NO-LIT"]["delivery_model"] == "web_support"  # no field: the setting
    assert results["AUD-BLENDED-LABS"]["passed"]  # labs with instructions
    assert results["AUD-BLENDED-NOGUIDE"]["missing"] == ["17a"]  # labs without instructions
    no_outcomes = results["AUD-NO-OUTCOMES"]
    assert no_outcomes["malformed"] == ["11"] and no_outcomes["missing"] == ["1"]
    assert not any(
        results[s]["passed"] for s in ("AUD-LONG-ANNOT", "AUD-SMALL-GLOSS", "AUD-NO-LIT")
    )


def test_a_csv_and_a_russian_pdf_per_category(audited):
    result, root = audited
    folders = result.xcom("render_course_audit")["outputs"]
    assert list(folders) == ["Факультет_систем_управления/Кафедра_экспертизы_курсов"]
    folder = root / "course_audit"
    csv_file = next(folder.rglob("audit.csv"))
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
    by_name = {r["shortname"]: r for r in rows}
    assert len(rows) == 8
    assert by_name["AUD-SMALL-GLOSS"]["element_7"] == "malformed"
    assert (
        by_name["AUD-ONLINE-OK"]["score"] == "100" and by_name["AUD-ONLINE-OK"]["passed"] == "yes"
    )
    pdf = PdfReader(io.BytesIO(next(folder.rglob("audit.pdf")).read_bytes()))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Аудит минимального состава электронных курсов" in text
    assert "Сводная таблица" in text and "AUD-LONG-ANNOT" in text
    assert "знаков, допустимо не более 400" in text
    assert "7 терминов (минимум 10)" in text


def test_a_rerun_rewrites_nothing(audited):
    result, root = audited
    pdf = next((root / "course_audit").rglob("audit.pdf"))
    before = pdf.read_bytes()
    again = run_dag(
        "course_audit", logical_date=None, conf={"root_category_id": _category("fsu-audit")}
    )
    assert again.state == "success"
    assert pdf.read_bytes() == before


def test_a_bad_setting_fails_at_once_naming_the_field(audited):
    result = run_dag("course_audit", settings={"glossary_min_entries": 0})
    assert result.state == "failed"
    assert result.state_of("resolve_settings") == "failed"
    assert result.state_of("extract_structure") == "upstream_failed"
