-- One pending row per held action: a faculty held again keeps its pending row
-- (no duplicate), refreshed with the latest values.
INSERT INTO eios_held_action (
    faculty_id, kind, student_id, cohort_idnumber, username, old_value, new_value,
    changed_at, reason, held_run_id, last_held_run_id
) VALUES (
    %(faculty_id)s, %(kind)s, %(student_id)s, %(cohort_idnumber)s, %(username)s,
    %(old)s, %(new)s, %(changed_at)s, %(reason)s, %(run_id)s, %(run_id)s
)
ON DUPLICATE KEY UPDATE
    username = VALUES (username),
    old_value = VALUES (old_value),
    new_value = VALUES (new_value),
    changed_at = VALUES (changed_at),
    reason = VALUES (reason),
    last_held_run_id = VALUES (last_held_run_id)
