"""What the pipelines leave behind, written for the operations-page tests.

Rows in the pipelines' own tables (migrations 001-050) and files in the store, in
the layouts the pipelines document (eios_sync/history/…, exams/YYYY/MM/DD/…,
vouchers/…, courses/…). The pages are tested on these outputs directly, so that
their tests do not depend on five other pipelines' DAG runs, and so that sizes
(e.g. 130 history CSVs for paging) are chosen here. Every value is made up;
no personal ID appears.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

HISTORY_HEADER = ["time", "faculty", "student", "username", "action", "old", "new", "result"]


@dataclass(frozen=True)
class Sizes:
    history_csvs: int = 130
    publications: int = 65
    exam_dates: int = 3
    attempts_per_quiz: int = 4
    act_months: int = 3


def tiny_pdf(text: str) -> bytes:
    """A real one-page PDF (pypdf) carrying `text` in its metadata."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _write(root, relative: str, data: bytes) -> str:
    path = root.joinpath(*relative.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(data)
    return relative


def _report(cursor, dag_id: str, day: date, status, summary, counts, outputs) -> None:
    """The report row of a scheduled run (`scheduled__ui`) for `day`, recorded now."""
    cursor.execute(
        "INSERT INTO pipeline_run_report (dag_id, run_id, logical_date, status, summary, counts,"
        " outputs, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            dag_id,
            "scheduled__ui",
            datetime.combine(day, datetime.min.time()),
            status,
            summary,
            json.dumps(counts),
            json.dumps(outputs),
            datetime.now(UTC).replace(tzinfo=None),
        ),
    )


def write_into(root) -> dict:
    """Every pipeline's outputs, into the pipelines DB and the store at `root`:
    `{"root": root, **write_all(...)}`."""
    from include.sandbox import stack

    connection = stack.connect("pipelines")
    try:
        return {"root": root, **write_all(connection, root)}
    finally:
        connection.close()


def write_all(connection, root, sizes: Sizes = Sizes(), today: date | None = None) -> dict:
    """Write every pipeline's outputs; returns what a test needs to look for."""
    today = today or datetime.now(UTC).date()
    cursor = connection.cursor()
    facts = {
        "eios": _eios(cursor, root, sizes, today),
        "kontur": _kontur(cursor, root, sizes, today),
        "exams": _exams(cursor, root, sizes, today),
        "vouchers": _vouchers(cursor, root, sizes, today),
        "courses": _courses(cursor, root, today),
    }
    connection.commit()
    cursor.close()
    return facts


def _eios(cursor, root, sizes: Sizes, today: date) -> dict:
    start = datetime.combine(today, datetime.min.time()) - timedelta(hours=sizes.history_csvs)
    names = []
    for index in range(sizes.history_csvs):
        moment = start + timedelta(hours=index + 1)
        name = moment.strftime("%Y-%m-%d_%H-%M-%S") + ".csv"
        rows = [",".join(HISTORY_HEADER)]
        if index == sizes.history_csvs - 1:  # the newest run: counts per faculty
            for n in range(3):
                rows.append(f"{moment:%H:%M:%S},ECON,S-E{n},econ{n},create,,,applied")
            for n in range(5):
                rows.append(f"{moment:%H:%M:%S},ECON,S-G{n},grad{n},suspend,,,held")
            rows.append(f"{moment:%H:%M:%S},LAW,S-L1,law1,update,a@x,b@x,failed: invalidparameter")
            rows.append(f"{moment:%H:%M:%S},LAW,S-L2,law2,create,,,applied")
        else:
            rows.append(f"{moment:%H:%M:%S},MATH,S-M{index},math{index},update,,,applied")
        _write(root, f"eios_sync/history/{name}", ("\n".join(rows) + "\n").encode())
        names.append(name)
    newest = names[-1]
    for n in range(5):
        cursor.execute(
            "INSERT INTO eios_held_action (faculty_id, faculty_name, kind, student_id, username,"
            " student_name, eios_status, changed_at, new_value, reason, status, is_open,"
            " held_run_id, last_held_run_id) VALUES ('ECON', 'Faculty of Economics', 'suspend',"
            " %s, %s, %s, 'graduated', %s, 'suspended (graduated)',"
            " 'mass graduation guard: 5 of 6 active students (83.3 %%) >= 50 %%', 'pending', 1,"
            " 'scheduled__2026-06-30T06:00:00+00:00', 'scheduled__2026-06-30T06:00:00+00:00')",
            (f"S-G{n}", f"grad{n}", f"Graduate{n} Test Student", f"2026-06-2{n}T09:3{n}:00"),
        )
    cursor.execute(  # a released one: not shown
        "INSERT INTO eios_held_action (faculty_id, kind, student_id, reason, status, is_open,"
        " held_run_id, last_held_run_id, closed_run_id) VALUES ('LAW', 'suspend', 'S-L9',"
        " 'guard', 'applied', NULL, 'old', 'old', 'manual__confirm')"
    )
    _report(
        cursor,
        "eios_sync",
        today,
        "held",
        "4 change(s) applied, 0 planned, 5 held, 1 failed, 0 missing in EIOS",
        {"faculties_synced": 2, "applied": 4, "held": 5, "failed": 1},
        {"history_csv": str(root / "eios_sync" / "history" / newest)},
    )
    return {"history": names, "newest": newest, "oldest": names[0], "held_faculty": "ECON"}


def _kontur(cursor, root, sizes: Sizes, today: date) -> dict:
    for index in range(sizes.publications):
        local_date = today - timedelta(days=index // 5)
        course_id = 101 if index % 2 else 102
        cursor.execute(
            "INSERT INTO kontur_publication (recording_key, course_id, cmid, section_number,"
            " activity_name, title, viewer_url, local_date, published_at, run_id) VALUES"
            " (%s, %s, %s, 3, %s, %s, %s, %s, %s, 'scheduled__ui')",
            (
                f"key-{index:04d}",
                course_id,
                5000 + index,
                f"Запись занятия: Лекция {index}, {local_date:%d.%m.%Y}",
                f"ЕГЭ Лекция {index}",
                f"https://talk.example/recordings/key-{index:04d}",
                local_date,
                datetime.combine(local_date, datetime.min.time())
                + timedelta(hours=17, minutes=index),
            ),
        )
    cursor.execute(
        "INSERT INTO kontur_publication_day (local_date, run_id, published, finished_at)"
        " VALUES (%s, 'scheduled__ui', 5, %s)",
        (today - timedelta(days=1), datetime.combine(today, datetime.min.time())),
    )
    csv_text = (
        "recording_key,title,local_date,prefix,category_id,status,reason\n"
        f"key-u1,ЕГЭ Неизвестный курс,{today - timedelta(days=1)},ЕГЭ,735,unmatched,no course matches\n"
        f"key-u2,ПО Старый,{today - timedelta(days=40)},ПО,727,unmatched,no course matches\n"
    )
    unmatched = _write(root, "kontur_recordings/scheduled__ui/unmatched.csv", csv_text.encode())
    _report(
        cursor,
        "kontur_recordings",
        today,
        "success",
        "polled 40 recording(s) in 1 page(s), 0 rejected; publication: due",
        {"polled": 40, "published": 5, "plan_unmatched": 2},
        {"unmatched": str(root / unmatched)},
    )
    return {"unmatched_recent": "ЕГЭ Неизвестный курс", "unmatched_old": "ПО Старый"}


def _exams(cursor, root, sizes: Sizes, today: date) -> dict:
    from include.storage import ManifestEntry, write_manifest

    days = [today - timedelta(days=offset * 7) for offset in range(sizes.exam_dates)]
    for day in days:
        folder = f"exams/{day:%Y/%m/%d}"
        entries = []
        for quiz_id, course in ((31, "MATH101"), (32, "PHYS201")):
            quiz_folder = f"{folder}/{course}/{quiz_id}-ekzamen"
            files = [
                (f"{quiz_folder}/u{n}-1.pdf", "attempt", n) for n in range(sizes.attempts_per_quiz)
            ]
            files.append((f"{quiz_folder}/vedomost.pdf", "summary", None))
            for path, kind, user in files:
                pdf = tiny_pdf(path)
                _write(root, path, pdf)
                from include.storage import sha256_bytes

                digest = sha256_bytes(pdf)
                entries.append(ManifestEntry(path, digest, len(pdf)))
                cursor.execute(
                    "INSERT INTO exam_archive_file (archive_date, path, kind, quiz_id, attempt_id,"
                    " user_id, grade, grading_finished, sha256, bytes) VALUES"
                    " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        day,
                        path,
                        kind,
                        quiz_id,
                        None if user is None else 900 + user,
                        None if user is None else 100 + user,
                        None if user is None else 7.5,
                        0 if user == 0 else 1,
                        digest,
                        len(pdf),
                    ),
                )
        write_manifest(root.joinpath(*folder.split("/")), entries)
    _report(
        cursor,
        "exam_archive",
        days[0],
        "success",
        f"{2 * sizes.attempts_per_quiz} attempt PDF(s) in 2 quiz(zes)",
        {"attempts": 2 * sizes.attempts_per_quiz, "quizzes": 2},
        {"archive": str(root / "exams" / f"{days[0]:%Y/%m/%d}")},
    )
    return {"days": [d.isoformat() for d in days]}


def _vouchers(cursor, root, sizes: Sizes, today: date) -> dict:
    cursor.execute(
        "INSERT INTO voucher_provider (bin, name, region_code, funding_model, lms_name, address,"
        " status, status_reason) VALUES"
        " ('000000000001', 'ТОО Балапан', 'R01', 'voucher', 'lms-a', 'ул. Абая 1', 'active', NULL),"
        " ('000000000002', 'ТОО Айголек', 'R01', 'voucher', 'lms-a', 'ул. Абая 2', 'suspended',"
        " 'tax_debt')"
    )
    first = date(today.year, today.month, 1)
    periods = []
    for back in range(sizes.act_months, 0, -1):
        month = (first - timedelta(days=28 * back)).replace(day=1)
        periods.append(f"{month:%Y-%m}")
    for index, period in enumerate(periods):
        newest = index == len(periods) - 1
        signed = today - timedelta(days=45) if index == 0 else today - timedelta(days=5)
        for bin_, status in (
            ("000000000001", "signed" if newest else ("signed" if index == 0 else "paid")),
            ("000000000002", "held_provider_suspended" if newest else "paid"),
        ):
            act = f"ACT-{period}-{bin_[-1]}"
            pdf = None
            if not status.startswith("held"):
                pdf = _write(root, f"vouchers/acts/{period}/{act}.pdf", tiny_pdf(act))
            cursor.execute(
                "INSERT INTO voucher_act (act_number, bin, period, region_code, status, rule_id,"
                " total_tiyn, children, payable_days, missing_marks, working_days, pdf_path,"
                " signed_on, paid_on) VALUES (%s, %s, %s, 'R01', %s, 'attendance-v1', %s, 8,"
                " 150, %s, 21, %s, %s, %s)",
                (
                    act,
                    bin_,
                    period,
                    status,
                    123456789,
                    3 if status.startswith("held") else 0,
                    pdf,
                    None if status.startswith("held") else signed,
                    signed + timedelta(days=10) if status == "paid" else None,
                ),
            )
    cursor.execute(
        "INSERT INTO voucher_provider_event (bin, period, kind, reason) VALUES"
        " ('000000000002', %s, 'suspended', 'tax debt reported by the registry')",
        (periods[-1],),
    )
    _report(
        cursor,
        "voucher_acts",
        today,
        "success",
        "2 act(s), 1 held",
        {"acts": 2, "held": 1},
        {},
    )
    return {
        "periods": periods,
        "held_act": f"ACT-{periods[-1]}-2",
        "overdue_act": f"ACT-{periods[0]}-1",
    }


def _courses(cursor, root, today: date) -> dict:
    backups = []
    for index, (shortname, status) in enumerate(
        (("HIST-1", "moved"), ("CHEM-2", "moved"), ("BIO-3", "failed"))
    ):
        path = f"courses/2025-2026/Faculty/{shortname}-{10 + index}.mbz"
        if status == "moved":
            _write(root, path, b"PK\x03\x04 fake mbz " + shortname.encode())
        cursor.execute(
            "INSERT INTO course_backup (course_id, academic_year, shortname, category_id, store_path,"
            " sha256, size_bytes, status, reason, backed_up_at, moved_at, run_id) VALUES"
            " (%s, '2025/2026', %s, 5, %s, %s, 20, %s, %s, %s, %s, 'scheduled__ui')",
            (
                10 + index,
                shortname,
                path,
                "0" * 64,
                status,
                "backup.php exited 1" if status == "failed" else None,
                datetime.combine(today, datetime.min.time()) - timedelta(days=index),
                datetime.combine(today, datetime.min.time()) if status == "moved" else None,
            ),
        )
        backups.append(shortname)
    folder = f"course_audit/{today}/fsu-audit"  # the layout of include/tasks/course_audit.py
    audit_csv = _write(root, f"{folder}/audit.csv", b"course,model,score\nAUD-1,blended,0.8\n")
    _write(root, f"{folder}/audit.html", "<h1>Аудит курсов</h1>".encode())
    _report(
        cursor,
        "course_audit",
        today,
        "success",
        "8 course(s) audited, mean score 0.71",
        {"courses": 8, "complete": 3, "incomplete": 5},
        {"fsu-audit": str(root / folder)},
    )
    return {"archived": backups[:2], "failed": backups[2], "audit_csv": audit_csv}
