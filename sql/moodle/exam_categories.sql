-- exam_archive: the course category tree (faculty = the top of a category's path).
-- Checked against Moodle 4.1.10 and 4.5.6 (course_categories).
SELECT
    cc.id,
    cc.name,
    cc.parent,
    cc.path
FROM mdl_course_categories AS cc
ORDER BY cc.id
