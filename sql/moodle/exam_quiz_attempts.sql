-- exam_archive: the finished, non-preview attempts of one quiz finished in [start, end),
-- with the student and the student's groups in the quiz's course.
-- Checked against Moodle 4.1.10 and 4.5.6 (quiz_attempts, user, groups, groups_members).
SELECT
    qa.id AS attempt_id,
    qa.userid AS user_id,
    qa.attempt,
    qa.uniqueid AS usage_id,
    qa.state,
    qa.preview,
    qa.timestart,
    qa.timefinish,
    qa.sumgrades,
    u.firstname,
    u.lastname,
    u.idnumber,
    (
        SELECT GROUP_CONCAT(g.name ORDER BY g.name SEPARATOR ', ')
        FROM mdl_groups_members AS gm
        INNER JOIN mdl_groups AS g ON gm.groupid = g.id
        WHERE gm.userid = qa.userid AND g.courseid = q.course
    ) AS group_names
FROM mdl_quiz_attempts AS qa
INNER JOIN mdl_quiz AS q ON qa.quiz = q.id
INNER JOIN mdl_user AS u ON qa.userid = u.id
WHERE
    qa.quiz = %(quiz_id)s  -- noqa: RF02
    AND qa.state = 'finished'
    AND qa.preview = 0
    AND qa.timefinish >= %(start)s  -- noqa: RF02
    AND qa.timefinish < %(end)s  -- noqa: RF02
ORDER BY qa.id
