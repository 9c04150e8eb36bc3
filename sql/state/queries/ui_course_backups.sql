-- Archived courses (course_archive): backups newest first (courses page).
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
    moved_at,
    pruned_at,
    run_id
FROM course_backup
ORDER BY backed_up_at DESC, course_id DESC
