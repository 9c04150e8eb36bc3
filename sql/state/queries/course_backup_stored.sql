-- Backups whose file is still in the archive store (candidates for retention).
SELECT
    course_id,
    academic_year,
    shortname,
    store_path,
    sha256,
    size_bytes,
    status,
    backed_up_at
FROM course_backup
WHERE pruned_at IS NULL AND backed_up_at IS NOT NULL AND status <> 'failed'
ORDER BY backed_up_at, course_id
