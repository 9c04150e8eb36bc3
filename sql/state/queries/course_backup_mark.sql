-- Set a backup's status (verified, failed, moved, pruned) with its time and reason.
UPDATE course_backup
SET
    status = %(status)s,
    reason = %(reason)s,
    verified_at = CASE WHEN %(status)s = 'verified' THEN %(at)s ELSE verified_at END,
    moved_at = CASE WHEN %(status)s = 'moved' THEN %(at)s ELSE moved_at END,
    pruned_at = CASE WHEN %(status)s = 'pruned' THEN %(at)s ELSE pruned_at END,
    archive_category_id = COALESCE(%(archive_category_id)s, archive_category_id)
WHERE course_id = %(course_id)s AND academic_year = %(academic_year)s
