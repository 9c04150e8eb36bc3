UPDATE feed_reject
SET resolved_at = %(seen_at)s
WHERE
    feed = %(feed)s
    AND scope = %(scope)s
    AND resolved_at IS NULL
    AND last_seen < %(seen_at)s
