-- Recordings not yet in the publication journal.
SELECT
    r.recording_key AS `key`,
    r.recording_id AS id,
    r.title,
    r.created_date,
    r.room_name
FROM kontur_recording AS r
LEFT JOIN kontur_publication AS p ON r.recording_key = p.recording_key
WHERE p.recording_key IS NULL
ORDER BY r.created_date, r.recording_key
