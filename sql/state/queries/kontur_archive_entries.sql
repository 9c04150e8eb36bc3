-- Every published recording of the given courses (cleared ones included).
SELECT
    course_id,
    section_number,
    title,
    local_date,
    viewer_url
FROM kontur_publication
WHERE FIND_IN_SET(course_id, %(course_ids)s) > 0
ORDER BY course_id, local_date, title
