-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Every contract active in the month, in every region, with its effective end (a
-- child's death ends the contract the day before) and its voucher: the contract
-- side of the month's aggregation (`contracts` in voucher_month_lines.sql, which
-- counts the marks against it). Params: first_day, last_day.
WITH deaths AS (
    SELECT
        iin,
        MIN(flagged_on) AS death_on
    FROM voucher_risk_flag
    WHERE kind = 'death'
    GROUP BY iin
),

active_contracts AS (
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
        c.start_date <= %(last_day)s
        AND (c.end_date IS NULL OR c.end_date >= %(first_day)s)
),

vouchers AS (
    SELECT
        bin,
        iin,
        MIN(voucher_id) AS voucher_id
    FROM voucher_voucher
    WHERE status <> 'annulled'
    GROUP BY bin, iin
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
    vo.voucher_id
FROM active_contracts AS ct
LEFT JOIN vouchers AS vo ON ct.bin = vo.bin AND ct.iin = vo.iin
WHERE ct.end_date IS NULL OR ct.end_date >= %(first_day)s
ORDER BY ct.bin, ct.contract_id
