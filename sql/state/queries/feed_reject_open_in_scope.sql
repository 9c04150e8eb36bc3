SELECT
    scope,
    record_key,
    field,
    reason
FROM feed_reject
WHERE
    feed = %(feed)s
    AND scope LIKE %(scope_pattern)s
    AND resolved_at IS NULL
ORDER BY scope, record_key
