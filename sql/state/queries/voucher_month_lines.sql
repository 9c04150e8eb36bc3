-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- One row per contract of a region active in the month, with its marks counted
-- inside the contract (a child's death ends the contract the day before) and on
-- the month's days: the acts' aggregation in MariaDB, one GROUP BY (region NULL:
-- every region at once). voucher_acts runs the DuckDB twin over the daily Parquet
-- files (sql/duckdb/voucher_month_lines.sql), faster (docs/vouchers.md); this one is
-- the side-by-side in the bench and the reference the twin is tested against.
-- Params: region (or NULL), first_day, last_day.
WITH deaths AS (
    SELECT
        iin,
        MIN(flagged_on) AS death_on
    FROM voucher_risk_flag
    WHERE kind = 'death'
    GROUP BY iin
),

contracts AS (
    SELECT
        c.contract_id,
        c.bin,
        c.iin,
        c.child_name,
        c.group_type,
        c.start_date,
        p.region_code,
        CASE
            WHEN d.death_on IS NULL THEN c.end_date
            WHEN c.end_date IS NULL OR c.end_date >= d.death_on
                THEN DATE_SUB(d.death_on, INTERVAL 1 DAY)
            ELSE c.end_date
        END AS end_date
    FROM voucher_contract AS c
    INNER JOIN voucher_provider AS p ON c.bin = p.bin
    LEFT JOIN deaths AS d ON c.iin = d.iin
    WHERE
        (%(region)s IS NULL OR p.region_code = %(region)s)
        AND c.start_date <= %(last_day)s
        AND (c.end_date IS NULL OR c.end_date >= %(first_day)s)
),

tally AS (
    -- the marks of the month inside each contract, grouped by the contract alone
    SELECT
        ct.contract_id,
        SUM(m.code = 'present' AND m.flag IS NULL) AS present_days,
        SUM(m.code = 'absent_excused' AND m.document = 1) AS excused_doc_days,
        COUNT(*) AS valid_marks
    FROM contracts AS ct
    INNER JOIN voucher_mark AS m
        ON
            ct.bin = m.bin
            AND ct.iin = m.iin
            AND m.mark_date BETWEEN GREATEST(ct.start_date, %(first_day)s)
            AND LEAST(COALESCE(ct.end_date, %(last_day)s), %(last_day)s)
    GROUP BY ct.contract_id
),

vouchers AS (
    SELECT
        v.bin,
        v.iin,
        MIN(v.voucher_id) AS voucher_id
    FROM voucher_voucher AS v
    INNER JOIN voucher_provider AS p ON v.bin = p.bin
    WHERE (%(region)s IS NULL OR p.region_code = %(region)s) AND v.status <> 'annulled'
    GROUP BY v.bin, v.iin
)

SELECT
    ct.contract_id,
    ct.bin,
    ct.iin,
    ct.child_name,
    ct.group_type,
    ct.region_code,
    ct.start_date,
    ct.end_date,
    vo.voucher_id,
    COALESCE(t.present_days, 0) AS present_days,
    COALESCE(t.excused_doc_days, 0) AS excused_doc_days,
    COALESCE(t.valid_marks, 0) AS valid_marks
FROM contracts AS ct
LEFT JOIN tally AS t ON ct.contract_id = t.contract_id
LEFT JOIN vouchers AS vo ON ct.bin = vo.bin AND ct.iin = vo.iin
WHERE ct.end_date IS NULL OR ct.end_date >= %(first_day)s
ORDER BY ct.bin, ct.contract_id
