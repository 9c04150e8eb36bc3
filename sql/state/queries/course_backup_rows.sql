-- Backup rows (any status): every row, or one course's row of one academic year when
-- both parameters are given (NULL, NULL = all).
SELECT
    course_id,
    academic_year,
    shortname,
    category_id,
    store_path,
    sha256,
    size_bytes,
    status,
    reason,
    archive_category_id,
    backed_up_at,
    verified_at,
    moved_at
FROM course_backup
WHERE
    (%(course_id)s IS NULL OR course_id = %(course_id)s)
    AND (%(academic_year)s IS NULL OR academic_year = %(academic_year)s)
ORDER BY course_id, academic_year
