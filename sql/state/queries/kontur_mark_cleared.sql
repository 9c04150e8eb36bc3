UPDATE kontur_publication SET cleared_at = %(cleared_at)s
WHERE recording_key = %(recording_key)s
