SELECT
    h.faculty_id,
    h.kind,
    h.student_id,
    h.cohort_idnumber,
    h.username,
    h.reason,
    h.held_run_id,
    h.last_held_run_id
FROM eios_held_action AS h
WHERE h.is_open = 1
ORDER BY h.faculty_id, h.id
