SELECT
    feed,
    COUNT(*) AS open_rejects,
    MIN(first_seen) AS oldest_first_seen
FROM feed_reject
WHERE
    feed LIKE %(feed_pattern)s
    AND resolved_at IS NULL
GROUP BY feed
ORDER BY feed
