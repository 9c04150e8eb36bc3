"""The steps of `exam_archive`: Moodle's database, the store and the project DB around
the pure rules of `selection`, `documents`, `layout` and `gate`.

Each function is one task's body; the DAG file only wires them.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import resource
import time
from datetime import datetime

from include.config import ExamArchiveSettings
from include.exams import documents as docs
from include.exams import gate, layout, selection

log = logging.getLogger(__name__)


def _moodle():
    from include.connectors.moodle_db import MoodleDbHook

    return MoodleDbHook()


def _pipelines():
    from include.connectors.pipelines_db import PipelinesDbHook

    return PipelinesDbHook()


def resolve_run(settings: ExamArchiveSettings, logical_date: datetime, requested) -> dict:
    """The archived date and its window in unix seconds, in the university's time zone."""
    day = selection.target_date(logical_date, settings.timezone, requested)
    start, end = selection.day_window(day, settings.timezone)
    log.info("archiving %s (%s): [%s, %s)", day, settings.timezone, start, end)
    return {"date": day.isoformat(), "timezone": settings.timezone, "start": start, "end": end}


def _window(run: dict) -> dict:
    return {"start": run["start"], "end": run["end"]}


def select_attempts(settings: ExamArchiveSettings, run: dict) -> dict:
    """Exam quizzes with attempts finished on the date, and the day's counts."""
    moodle = _moodle()
    try:
        attempts = moodle.read_frame("exam_day_attempts", _window(run))
        categories = moodle.read_frame("exam_categories")
    finally:
        moodle.close()
    columns = ["quiz_id", "quiz_name", "course_id", "course_shortname", "category_id"]
    quizzes = attempts[columns].drop_duplicates("quiz_id")
    exams = selection.select_exam_quizzes(
        quizzes, categories, settings.name_pattern, settings.category_ids, settings.combine
    )
    exam_attempts = attempts[attempts["quiz_id"].isin(set(exams["quiz_id"]))]
    finished = selection.finished_on(exam_attempts, run["start"], run["end"])
    per_quiz = finished.groupby("quiz_id").size().to_dict()
    items = [
        {
            "quiz_id": int(q.quiz_id),
            "quiz_name": str(q.quiz_name),
            "course_shortname": str(q.course_shortname),
            "attempts": int(per_quiz[q.quiz_id]),
        }
        for q in exams.itertuples(index=False)
        if q.quiz_id in per_quiz
    ]
    counts = selection.day_counts(exam_attempts, run["start"], run["end"])
    counts["exam_quizzes"] = len(items)
    log.info("exams on %s: %s", run["date"], counts)
    return {"quizzes": items, "counts": counts}


def _read_quiz(moodle, quiz_id: int, run: dict) -> dict:
    params = {"quiz_id": quiz_id, **_window(run)}
    quiz = moodle.read_frame("exam_quiz", {"quiz_id": quiz_id}).iloc[0].to_dict()
    return {
        "quiz": quiz,
        "attempts": moodle.read_frame("exam_quiz_attempts", params),
        "question_attempts": moodle.read_frame("exam_question_attempts", params),
        "steps": moodle.read_frame("exam_question_steps", params),
        "categories": moodle.read_frame("exam_categories"),
    }


def quiz_documents(data: dict, settings: ExamArchiveSettings, run: dict) -> tuple[list, dict]:
    """The attempt documents and the summary of one quiz (pure over the frames read)."""
    quiz = data["quiz"]
    common = {
        "archive_date": run["date"],
        "timezone": run["timezone"],
        "institution": settings.institution,
        "category": docs.category_label(int(quiz["category_id"]), data["categories"]),
    }
    documents = docs.attempt_documents(
        quiz, data["attempts"], data["question_attempts"], data["steps"], **common
    )
    return documents, docs.summary_document(quiz, documents, **common)


def _processes(settings: ExamArchiveSettings) -> int:
    return settings.render_processes or os.cpu_count() or 1


def _peak_rss_mb() -> dict:
    """This task process's peak RSS. (The workers' is not taken from RUSAGE_CHILDREN: it
    counts the parent's image at fork time, before a spawned worker's exec.)"""
    return {"task_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the render workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def archive_quiz(item: dict, settings: ExamArchiveSettings, run: dict) -> dict:
    """Render one quiz's attempt PDFs and summary sheet into the store; manifest rows back."""
    from include.exams.rendering import render_quiz
    from include.storage import sha256_bytes, store_path, write_bytes_if_changed

    started, cpu_started = time.monotonic(), _cpu_seconds()
    moodle = _moodle()
    try:
        data = _read_quiz(moodle, item["quiz_id"], run)
    finally:
        moodle.close()
    documents, summary = quiz_documents(data, settings, run)
    quiz = data["quiz"]
    folder = layout.quiz_folder(
        run["date"], quiz["course_shortname"], quiz["quiz_id"], quiz["quiz_name"]
    )
    names = layout.attempt_file_names(documents)
    pdfs, summary_pdf, workers = render_quiz(
        documents, summary, _processes(settings), settings.attempt_layout
    )
    rows, written = [], 0
    for document, pdf in zip(documents, pdfs, strict=True):
        relative = f"{folder}/{names[document['attempt_id']]}"
        written += write_bytes_if_changed(store_path(relative), pdf)
        rows.append(layout.manifest_row(relative, "attempt", sha256_bytes(pdf), len(pdf), document))
    relative = f"{folder}/{layout.SUMMARY_NAME}"
    written += write_bytes_if_changed(store_path(relative), summary_pdf)
    rows.append(
        layout.manifest_row(
            relative, "summary", sha256_bytes(summary_pdf), len(summary_pdf), summary
        )
    )
    seconds = time.monotonic() - started
    result = {
        "quiz_id": int(quiz["quiz_id"]),
        "folder": folder,
        "rows": rows,
        "attempts": len(documents),
        "grading_not_finished": sum(1 for d in documents if not d["grading_finished"]),
        "written": written,
        "render_pool_workers": workers,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu_started, 2),
        "attempts_per_second": round(len(documents) / seconds, 2) if seconds else None,
        **_peak_rss_mb(),
    }
    log.info("quiz %s: %s", quiz["quiz_id"], {k: v for k, v in result.items() if k != "rows"})
    return result


def manifest_bytes(rows: list[dict], date_prefix: str) -> tuple[bytes, bytes]:
    """CSV and JSON of the manifest; paths relative to the date's folder, sorted."""
    ordered = sorted(
        ({**r, "path": r["path"].removeprefix(date_prefix + "/")} for r in rows),
        key=lambda r: r["path"],
    )
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=layout.MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in ordered:
        writer.writerow({k: ("" if row[k] is None else row[k]) for k in layout.MANIFEST_COLUMNS})
    body = json.dumps(ordered, ensure_ascii=False, indent=1) + "\n"
    return text.getvalue().encode("utf-8"), body.encode("utf-8")


def record_manifest(results: list[dict], run: dict) -> dict:
    """Write the date's manifest, remove PDFs of the date no longer archived, and record
    the files in the project DB (the date's rows replaced as a whole)."""
    from include.storage import relative_name, store_path, write_bytes_if_changed

    rows = [row for result in results or [] if result for row in result["rows"]]
    prefix = layout.date_folder(run["date"])
    csv_bytes, json_bytes = manifest_bytes(rows, prefix)
    csv_path = store_path(prefix, f"{layout.MANIFEST_NAME}.csv")
    json_path = store_path(prefix, f"{layout.MANIFEST_NAME}.json")
    write_bytes_if_changed(csv_path, csv_bytes)
    write_bytes_if_changed(json_path, json_bytes)
    keep = {row["path"] for row in rows}
    pruned = []
    for pdf in sorted(csv_path.parent.rglob("*.pdf"), key=str):
        relative = f"{prefix}/{relative_name(pdf, csv_path.parent)}"
        if relative not in keep:
            pdf.unlink()
            pruned.append(relative)
    if pruned:
        log.info("removed %d PDF(s) no longer archived for %s", len(pruned), run["date"])
    state = _pipelines()
    try:
        with state.transaction() as cursor:
            cursor.execute(state.query("exam_archive_clear_date"), {"archive_date": run["date"]})
            for row in rows:
                cursor.execute(
                    state.query("exam_archive_insert_file"),
                    {**row, "archive_date": run["date"], "sha256": row["sha256"]},
                )
    finally:
        state.close()
    return {
        "manifest_csv": str(csv_path),
        "manifest_json": str(json_path),
        "files": len(rows),
        "pruned": len(pruned),
    }


def check_archive(settings: ExamArchiveSettings, run: dict, quizzes: list[dict]) -> dict:
    """The quality gate: expected attempt PDFs (recomputed from Moodle), the files found in
    the store and the manifest must agree; every file opens, has pages, names the student."""
    from include.quality import check_frame, require
    from include.storage import relative_name, store_path

    expected: dict[str, str] = {}
    moodle = _moodle()
    try:
        for item in quizzes:
            data = _read_quiz(moodle, item["quiz_id"], run)
            documents, _ = quiz_documents(data, settings, run)
            quiz = data["quiz"]
            folder = layout.quiz_folder(
                run["date"], quiz["course_shortname"], quiz["quiz_id"], quiz["quiz_name"]
            )
            names = layout.attempt_file_names(documents)
            for d in documents:
                expected[f"{folder}/{names[d['attempt_id']]}"] = d["student_name"]
    finally:
        moodle.close()
    prefix = layout.date_folder(run["date"])
    manifest_path = store_path(prefix, f"{layout.MANIFEST_NAME}.json")
    base = manifest_path.parent
    manifest = {}
    if manifest_path.exists():
        with manifest_path.open("r") as handle:
            manifest = {f"{prefix}/{r['path']}": r["sha256"] for r in json.load(handle)}
    files = {f"{prefix}/{relative_name(p, base)}": p for p in base.rglob("*.pdf")}
    paths = sorted(files)
    blobs = []
    for path in paths:
        with files[path].open("rb") as handle:
            blobs.append(handle.read())
    read, workers = _inspect_many(blobs, _processes(settings))
    facts = dict(zip(paths, read, strict=True))
    for path, fact in facts.items():
        if fact["error"]:  # the parser's own words, next to the gate's verdict below
            log.warning("%s does not open: %s", path, fact["error"])
    frame = gate.files_frame(expected, set(files), manifest, facts)
    report = check_frame(
        frame, gate.file_expectations(), f"exam_archive_files_{run['date']}", name_column="path"
    )
    summary = {
        "expected": len(expected),
        "found": int((frame["found"] & (frame["kind"] == gate.ATTEMPT_KIND)).sum()),
        "files_checked": len(facts),
        "reader_pool_workers": workers,
        "failures": len(report.failures),
    }
    require(report)
    log.info(
        "quality gate passed: %d of %d expected attempt PDFs found, %d files read back",
        summary["found"], summary["expected"], summary["files_checked"],
    )  # fmt: skip
    return summary


def _inspect_many(blobs: list[bytes], processes: int) -> tuple[list[dict], int]:
    """Every file read back, in order, and the pool workers that read them (0: inline);
    in the isolated pool when there are enough files."""
    if processes <= 1 or len(blobs) < 40:
        return gate.inspect_pdfs(blobs), 0
    from include.render.worker_pool import isolated_process_pool

    size = max(1, len(blobs) // (processes * 4))
    chunks = [blobs[i : i + size] for i in range(0, len(blobs), size)]
    with isolated_process_pool(processes) as pool:
        if pool is None:
            return gate.inspect_pdfs(blobs), 0
        facts = [fact for chunk in pool.map(gate.inspect_pdfs, chunks) for fact in chunk]
        return facts, processes


def report(context, run, selection_result, quiz_results, manifest, gate_result) -> dict:
    """The run's report row; a failed gate or quiz is reported, then fails the run."""
    from airflow.sdk.exceptions import AirflowFailException

    from include.dag_defaults import mapped_results
    from include.reporting import plural

    selection_result = selection_result or {"quizzes": [], "counts": {}}
    results = [r for r in mapped_results(quiz_results) if r]
    counts = dict(selection_result["counts"])
    counts["archived"] = sum(r["attempts"] for r in results)
    counts["grading_not_finished"] = sum(r["grading_not_finished"] for r in results)
    counts["files_written"] = sum(r["written"] for r in results)
    counts["summaries"] = len(results)
    if results:
        counts["task_peak_rss_mb"] = max(r["task_peak_rss_mb"] for r in results)
    problems = []
    if len(results) < len(selection_result["quizzes"]):
        missing = len(selection_result["quizzes"]) - len(results)
        problems.append(f"{plural(missing, 'quiz', 'quizzes')} not archived")
    if manifest is None:
        problems.append("manifest not written")
    if gate_result is None:
        problems.append("quality gate failed (see check_archive_files)")
    unfinished = sum(counts.get(s, 0) for s in selection.UNFINISHED_STATES)
    summary = (
        f"{run['date'] if run else '?'}: {plural(counts['archived'], 'attempt PDF')} in "
        f"{plural(counts['summaries'], 'quiz', 'quizzes')}; {counts['grading_not_finished']} "
        f"awaiting manual grading; {plural(unfinished, 'unfinished attempt')} not archived"
    )
    if problems:
        summary += "; FAILED: " + "; ".join(problems)
    outputs = {"archive": str(manifest["manifest_csv"]).rsplit("/", 1)[0]} if manifest else {}
    if manifest:
        outputs.update(
            manifest_csv=manifest["manifest_csv"], manifest_json=manifest["manifest_json"]
        )
    from include.reporting import record_run_report

    row = record_run_report(
        context, summary, counts, outputs, status="failed" if problems else "success"
    )
    if problems:
        raise AirflowFailException(summary)
    return row
