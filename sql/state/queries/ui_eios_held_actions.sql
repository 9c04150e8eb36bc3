-- The pending held actions of one faculty (the confirm page of the EIOS section).
SELECT
    id,
    kind,
    student_id,
    username,
    cohort_idnumber,
    reason,
    held_at,
    last_held_run_id
FROM eios_held_action
WHERE faculty_id = %(faculty_id)s AND is_open = 1
ORDER BY held_at ASC, id ASC
