-- exam_archive: every step of those question attempts; the DAG keeps the last one
-- (highest sequencenumber) per question attempt: its state and fraction give the mark.
-- Checked against Moodle 4.1.10 and 4.5.6 (question_attempt_steps).
SELECT
    qas.questionattemptid AS question_attempt_id,
    qas.sequencenumber,
    qas.state,
    qas.fraction
FROM mdl_quiz_attempts AS qa
INNER JOIN mdl_question_attempts AS qat ON qa.uniqueid = qat.questionusageid
INNER JOIN mdl_question_attempt_steps AS qas ON qat.id = qas.questionattemptid
WHERE
    qa.quiz = %(quiz_id)s  -- noqa: RF02
    AND qa.state = 'finished'
    AND qa.preview = 0
    AND qa.timefinish >= %(start)s  -- noqa: RF02
    AND qa.timefinish < %(end)s  -- noqa: RF02
