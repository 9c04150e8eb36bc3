INSERT INTO feed_reject (
    feed, record_key, field, reason, scope, first_seen, last_seen, last_run_id
) VALUES (
    %(feed)s, %(record_key)s, %(field)s, %(reason)s, %(scope)s,
    %(seen_at)s, %(seen_at)s, %(run_id)s
)
ON DUPLICATE KEY UPDATE
    field = VALUES (field),
    reason = VALUES (reason),
    scope = VALUES (scope),
    first_seen = IF(resolved_at IS NULL, first_seen, VALUES (first_seen)),
    last_seen = VALUES (last_seen),
    last_run_id = VALUES (last_run_id),
    resolved_at = NULL  -- noqa: CV05
