-- Backup rows of the given courses (any status).
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
ORDER BY course_id, academic_year
