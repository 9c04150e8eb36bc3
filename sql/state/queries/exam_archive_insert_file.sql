-- exam_archive: one archived file of a date.
INSERT INTO exam_archive_file (
    archive_date, path, kind, quiz_id, attempt_id, user_id, grade, grading_finished, sha256, bytes
) VALUES (
    %(archive_date)s, %(path)s, %(kind)s, %(quiz_id)s, %(attempt_id)s, %(user_id)s,
    %(grade)s, %(grading_finished)s, %(sha256)s, %(bytes)s
)
