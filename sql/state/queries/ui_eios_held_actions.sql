-- The pending held actions of one faculty (the confirm page of the EIOS section),
-- with what the sync staged for each student (name, faculty, EIOS status,
-- changed_at: migration 070) so the person confirming sees why each one leaves.
SELECT
    id,
    kind,
    student_id,
    username,
    student_name,
    faculty_id,
    faculty_name,
    eios_status,
    changed_at,
    cohort_idnumber,
    new_value,
    reason,
    held_at,
    last_held_run_id
FROM eios_held_action
WHERE faculty_id = %(faculty_id)s AND is_open = 1
ORDER BY held_at ASC, id ASC
