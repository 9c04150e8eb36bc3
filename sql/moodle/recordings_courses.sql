-- Courses (the site course, id 1 / category 0, excluded) for title matching.
-- Checked against Moodle 4.1 LTS and 4.5 LTS.
SELECT
    id,
    category,
    shortname,
    fullname
FROM mdl_course
WHERE category > 0
ORDER BY id
