-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- The month's act lines: every contract of the month with its marks counted inside
-- the contract and inside the month, in one GROUP BY; a flagged (double-funded) mark
-- is not present. One text for both engines (include/tasks/voucher_month_lines.py),
-- so only SQL that DuckDB and MariaDB read alike: `contracts` is
-- voucher_month_contracts.sql's result and `marks` the accepted marks, in DuckDB the
-- registered frame and the month's daily Parquet files, in MariaDB CTEs of the same
-- statement (voucher_month_contracts.sql and voucher_mark). Params: first_day, last_day.
WITH tally AS (
    SELECT
        ct.contract_id,
        SUM(CASE WHEN m.code = 'present' AND m.flag IS NULL THEN 1 ELSE 0 END) AS present_days,
        SUM(CASE WHEN m.code = 'absent_excused' AND m.document = 1 THEN 1 ELSE 0 END)
            AS excused_doc_days,
        COUNT(*) AS valid_marks
    FROM contracts AS ct
    INNER JOIN marks AS m
        ON
            ct.bin = m.bin
            AND ct.iin = m.iin
            AND m.mark_date BETWEEN GREATEST(ct.start_date, CAST(%(first_day)s AS DATE))
            AND LEAST(COALESCE(ct.end_date, CAST(%(last_day)s AS DATE)), CAST(%(last_day)s AS DATE))
    GROUP BY ct.contract_id
)

SELECT
    ct.*,  -- the contract's columns as voucher_month_contracts.sql gives them
    COALESCE(t.present_days, 0) AS present_days,
    COALESCE(t.excused_doc_days, 0) AS excused_doc_days,
    COALESCE(t.valid_marks, 0) AS valid_marks
FROM contracts AS ct
LEFT JOIN tally AS t ON ct.contract_id = t.contract_id
ORDER BY ct.bin, ct.contract_id
