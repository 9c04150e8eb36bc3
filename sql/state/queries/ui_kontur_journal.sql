-- The publication journal, filtered by course id and publication date (Kontur page);
-- uses ix_kontur_publication_course when a course is given.
SELECT
    recording_key,
    published_at,
    local_date,
    course_id,
    section_number,
    cmid,
    activity_name,
    title,
    adopted,
    cleared_at,
    run_id
FROM kontur_publication
WHERE
    (%(course_id)s IS NULL OR course_id = %(course_id)s)
    AND (%(date_from)s IS NULL OR local_date >= %(date_from)s)
    AND (%(date_to)s IS NULL OR local_date <= %(date_to)s)
ORDER BY published_at DESC, recording_key ASC
