INSERT INTO kontur_recording (
    recording_key, recording_id, title, created_date, created_by_email, room_name,
    participants_count, size_bytes, duration_seconds, first_seen_run, last_seen_run
) VALUES (
    %(recording_key)s, %(recording_id)s, %(title)s, %(created_date)s, %(created_by_email)s, %(room_name)s,
    %(participants_count)s, %(size_bytes)s, %(duration_seconds)s, %(run_id)s, %(run_id)s
)
ON DUPLICATE KEY UPDATE
    recording_id = VALUES (recording_id),
    title = VALUES (title),
    created_date = VALUES (created_date),
    created_by_email = VALUES (created_by_email),
    room_name = VALUES (room_name),
    participants_count = VALUES (participants_count),
    size_bytes = VALUES (size_bytes),
    duration_seconds = VALUES (duration_seconds),
    last_seen_run = VALUES (last_seen_run)
