-- Rows of an external feed that failed its schema (migration 060), one table for
-- every feed (kontur_recordings, lms_contracts, lms_attendance, registry_*).
-- A rejected row is recorded once per feed and key: a later read of the same
-- row updates last_seen; resolved_at is set when the source sends the key again
-- valid (or, for a feed read whole per scope, no longer sends the bad row).
-- A reject never holds back the good rows or a watermark.
CREATE TABLE feed_reject (
    feed VARCHAR(40) NOT NULL,
    record_key VARCHAR(191) NOT NULL,
    field VARCHAR(100) NOT NULL,
    reason VARCHAR(1000) NOT NULL,
    scope VARCHAR(100) NOT NULL DEFAULT '',
    first_seen DATETIME(6) NOT NULL,
    last_seen DATETIME(6) NOT NULL,
    last_run_id VARCHAR(250) NOT NULL,
    resolved_at DATETIME(6) NULL,
    PRIMARY KEY (feed, record_key),
    KEY ix_feed_reject_open (feed, resolved_at),
    KEY ix_feed_reject_scope (feed, scope, last_seen)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
