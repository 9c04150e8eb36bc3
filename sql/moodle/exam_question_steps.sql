-- sqlfluff:templater:placeholder:usage_ids:(1, 2)
-- exam_archive: every step of the question attempts of the given question usages (as
-- exam_question_attempts.sql); the DAG keeps the last one (highest sequencenumber) per
-- question attempt: its state and fraction give the mark.
-- Checked against Moodle 4.1.10 and 4.5.6 (question_attempt_steps).
SELECT
    qas.questionattemptid AS question_attempt_id,
    qas.sequencenumber,
    qas.state,
    qas.fraction
FROM mdl_question_attempts AS qat
INNER JOIN mdl_question_attempt_steps AS qas ON qat.id = qas.questionattemptid
WHERE qat.questionusageid IN %(usage_ids)s
