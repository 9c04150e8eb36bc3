-- Course categories with their paths (`/1/5/9`), to search a route's subtree.
-- Checked against Moodle 4.1 LTS and 4.5 LTS.
SELECT
    id,
    parent,
    path,
    name
FROM mdl_course_categories
ORDER BY id
