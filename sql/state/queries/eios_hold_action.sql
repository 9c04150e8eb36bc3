-- One pending row per held action: a faculty held again keeps its pending row
-- (no duplicate), refreshed with the latest values. Name, faculty name and EIOS
-- status as the run staged them (migration 070), for the confirm page.
INSERT INTO eios_held_action (
    faculty_id, faculty_name, kind, student_id, cohort_idnumber, username, student_name,
    eios_status, old_value, new_value, changed_at, reason, held_run_id, last_held_run_id
) VALUES (
    %(faculty_id)s, %(faculty_name)s, %(kind)s, %(student_id)s, %(cohort_idnumber)s,
    %(username)s, %(student_name)s, %(eios_status)s, %(old)s, %(new)s, %(changed_at)s,
    %(reason)s, %(run_id)s, %(run_id)s
)
ON DUPLICATE KEY UPDATE
    faculty_name = VALUES (faculty_name),
    username = VALUES (username),
    student_name = VALUES (student_name),
    eios_status = VALUES (eios_status),
    old_value = VALUES (old_value),
    new_value = VALUES (new_value),
    changed_at = VALUES (changed_at),
    reason = VALUES (reason),
    last_held_run_id = VALUES (last_held_run_id)
