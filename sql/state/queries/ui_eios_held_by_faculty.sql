-- Pending leaving actions held by the mass-graduation guard, per faculty (EIOS page).
-- `is_open` = 1 marks a pending row (see migration 010).
SELECT
    faculty_id,
    COUNT(*) AS held_actions,
    GROUP_CONCAT(DISTINCT kind ORDER BY kind SEPARATOR ', ') AS kinds,
    MAX(reason) AS reason,
    MIN(held_at) AS held_since,
    MAX(last_held_run_id) AS run_id
FROM eios_held_action
WHERE is_open = 1
GROUP BY faculty_id
ORDER BY faculty_id ASC
