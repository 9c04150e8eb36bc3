-- exam_archive: the question attempts (one per slot) of one quiz's attempts finished in
-- [start, end). Questions are read through question_attempts, never quiz_slots (whose
-- columns differ between 4.1 and 4.5). Checked against Moodle 4.1.10 and 4.5.6.
SELECT
    qa.id AS attempt_id,
    qat.id AS question_attempt_id,
    qat.slot,
    qat.behaviour,
    qat.maxmark,
    qat.questionsummary,
    qat.responsesummary,
    qat.rightanswer
FROM mdl_quiz_attempts AS qa
INNER JOIN mdl_question_attempts AS qat ON qa.uniqueid = qat.questionusageid
WHERE
    qa.quiz = %(quiz_id)s  -- noqa: RF02
    AND qa.state = 'finished'
    AND qa.preview = 0
    AND qa.timefinish >= %(start)s  -- noqa: RF02
    AND qa.timefinish < %(end)s  -- noqa: RF02
ORDER BY qa.id, qat.slot
