-- The provider-days voucher_ingest has pulled from the LMS (migration 041): one
-- row per provider and day, written in the transaction that replaces that day's
-- marks and rejects, so a day ingested with no mark at all is still known to be
-- ingested. voucher_acts checks a month against it before forming any act.
CREATE TABLE voucher_ingested_day (
    bin CHAR(12) NOT NULL,
    register_date DATE NOT NULL,
    marks INT NOT NULL,
    accepted INT NOT NULL,
    rejected INT NOT NULL,
    ingested_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (bin, register_date),
    KEY ix_voucher_ingested_day_date (register_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Days ingested before this table existed: a provider-day with a stored mark or
-- reject was ingested; a day that had none must be ingested again to count.
INSERT INTO voucher_ingested_day (bin, register_date, marks, accepted, rejected)
SELECT
    day_rows.bin,
    day_rows.register_date,
    SUM(day_rows.accepted) + SUM(day_rows.rejected) AS marks,
    SUM(day_rows.accepted) AS accepted,
    SUM(day_rows.rejected) AS rejected
FROM (
    SELECT
        bin,
        mark_date AS register_date,
        1 AS accepted,
        0 AS rejected
    FROM voucher_mark
    UNION ALL
    SELECT
        bin,
        mark_date AS register_date,
        0 AS accepted,
        1 AS rejected
    FROM voucher_reject
    WHERE reason <> 'double_funding'
) AS day_rows
GROUP BY day_rows.bin, day_rows.register_date;
