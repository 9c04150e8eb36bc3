-- Recording activities still in their sections and older than the cut-off.
SELECT
    recording_key,
    course_id,
    cmid
FROM kontur_publication
WHERE cleared_at IS NULL AND local_date < %(cutoff)s
ORDER BY course_id, cmid
