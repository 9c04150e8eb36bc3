-- The archived PDFs of one date (exam page of a date), by path.
SELECT
    path,
    kind,
    quiz_id,
    attempt_id,
    grade,
    grading_finished,
    sha256,
    bytes
FROM exam_archive_file
WHERE archive_date = %(archive_date)s
ORDER BY path ASC
