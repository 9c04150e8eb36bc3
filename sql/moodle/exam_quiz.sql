-- exam_archive: one quiz with its course and the grade settings used to scale grades.
-- Checked against Moodle 4.1.10 and 4.5.6 (quiz, course).
SELECT
    q.id AS quiz_id,
    q.name AS quiz_name,
    q.sumgrades AS quiz_sumgrades,
    q.grade AS quiz_grade,
    q.decimalpoints,
    c.id AS course_id,
    c.shortname AS course_shortname,
    c.fullname AS course_fullname,
    c.category AS category_id
FROM mdl_quiz AS q
INNER JOIN mdl_course AS c ON q.course = c.id
WHERE q.id = %(quiz_id)s  -- noqa: RF02
