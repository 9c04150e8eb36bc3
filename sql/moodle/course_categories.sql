-- Course categories with their tree path (`/1/5/9`), for subtree selection and
-- archive paths. Checked against Moodle 4.1 and 4.5 (course_categories).
SELECT
    cc.id,
    cc.name,
    cc.idnumber,
    cc.parent,
    cc.path,
    cc.depth,
    cc.visible
FROM mdl_course_categories AS cc
ORDER BY cc.path
