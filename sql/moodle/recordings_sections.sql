-- Sections of the given courses (comma-separated ids), to place recordings.
-- Checked against Moodle 4.1 LTS and 4.5 LTS.
SELECT
    id,
    course,
    section,
    name
FROM mdl_course_sections
WHERE FIND_IN_SET(course, %(course_ids)s) > 0
ORDER BY course, section
