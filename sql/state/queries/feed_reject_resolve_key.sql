UPDATE feed_reject
SET resolved_at = %(seen_at)s
WHERE
    feed = %(feed)s
    AND record_key = %(record_key)s
    AND resolved_at IS NULL
