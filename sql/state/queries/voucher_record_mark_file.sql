-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A day's Parquet file of marks, written. Params: mark_date, path, sha256, marks.
INSERT INTO voucher_mark_file (mark_date, path, sha256, marks)
VALUES (%(mark_date)s, %(path)s, %(sha256)s, %(marks)s)
ON DUPLICATE KEY UPDATE
    path = VALUES (path),
    sha256 = VALUES (sha256),
    marks = VALUES (marks),
    written_at = CURRENT_TIMESTAMP
