-- exam_archive: every quiz attempt started or finished in [start, end) (unix seconds),
-- previews and unfinished ones included: the DAG selects the exams and counts the rest.
-- Checked against Moodle 4.1.10 and 4.5.6 (quiz, quiz_attempts, course).
SELECT
    qa.id AS attempt_id,
    qa.quiz AS quiz_id,
    qa.userid AS user_id,
    qa.attempt,
    qa.state,
    qa.preview,
    qa.timestart,
    qa.timefinish,
    q.name AS quiz_name,
    q.course AS course_id,
    c.shortname AS course_shortname,
    c.category AS category_id
FROM mdl_quiz_attempts AS qa
INNER JOIN mdl_quiz AS q ON qa.quiz = q.id
INNER JOIN mdl_course AS c ON q.course = c.id
WHERE
    (qa.timefinish >= %(start)s AND qa.timefinish < %(end)s)  -- noqa: RF02
    OR (qa.timestart >= %(start)s AND qa.timestart < %(end)s)  -- noqa: RF02
ORDER BY qa.quiz, qa.id
