-- sqlfluff:templater:placeholder:usage_ids:(1, 2)
-- exam_archive: the question attempts (one per slot) of the given question usages
-- (`usage_ids`: exam_quiz_attempts.sql's usage_id of the quiz's attempts finished in the
-- window, so the three read the same attempts; (NULL) for none).
-- Questions are read through question_attempts, never quiz_slots (whose columns differ
-- between 4.1 and 4.5). Checked against Moodle 4.1.10 and 4.5.6.
SELECT
    qa.id AS attempt_id,
    qat.id AS question_attempt_id,
    qat.slot,
    qat.behaviour,
    qat.maxmark,
    qat.questionsummary,
    qat.responsesummary,
    qat.rightanswer
FROM mdl_question_attempts AS qat
INNER JOIN mdl_quiz_attempts AS qa ON qat.questionusageid = qa.uniqueid
WHERE qat.questionusageid IN %(usage_ids)s
ORDER BY qa.id, qat.slot
