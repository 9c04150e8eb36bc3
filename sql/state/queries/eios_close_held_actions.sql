-- A faculty synced without hold: its pending rows are closed (`released` when a
-- person confirmed them, `resolved` when they fell below the threshold or vanished).
UPDATE eios_held_action
SET
    status = %(status)s,
    is_open = NULL,
    closed_run_id = %(run_id)s
WHERE faculty_id = %(faculty_id)s AND is_open = 1
