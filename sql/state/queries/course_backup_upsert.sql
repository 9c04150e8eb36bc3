-- Record a course's backup as copied or failed (re-running replaces the row).
INSERT INTO course_backup (
    course_id, academic_year, shortname, category_id, store_path, sha256,
    size_bytes, status, reason, backed_up_at, run_id
) VALUES (
    %(course_id)s, %(academic_year)s, %(shortname)s, %(category_id)s,
    %(store_path)s, %(sha256)s, %(size_bytes)s, %(status)s, %(reason)s,
    %(backed_up_at)s, %(run_id)s
)
ON DUPLICATE KEY UPDATE
    shortname = VALUES (shortname),
    category_id = VALUES (category_id),
    store_path = VALUES (store_path),
    sha256 = VALUES (sha256),
    size_bytes = VALUES (size_bytes),
    status = VALUES (status),
    reason = VALUES (reason),
    backed_up_at = VALUES (backed_up_at),
    verified_at = NULL,  -- noqa: CV05
    run_id = VALUES (run_id)
