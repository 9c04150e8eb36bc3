-- Acts per month: how many acts in each status and their total (vouchers page).
-- Grouped by (period, status) first, so the status tests run on a few rows;
-- the page's LIMIT/OFFSET is appended by paged_sql.
WITH by_status AS (
    SELECT
        period,
        status,
        COUNT(*) AS acts,
        SUM(total_tiyn) AS total_tiyn
    FROM voucher_act
    GROUP BY period, status
)

SELECT
    period,
    SUM(acts) AS acts,
    SUM(IF(status = 'generated', acts, 0)) AS n_generated,
    SUM(IF(status = 'reconciled', acts, 0)) AS n_reconciled,
    SUM(IF(status = 'signed', acts, 0)) AS n_signed,
    SUM(IF(status = 'invoiced', acts, 0)) AS n_invoiced,
    SUM(IF(status = 'paid', acts, 0)) AS n_paid,
    SUM(IF(status LIKE 'held%%', acts, 0)) AS n_held,
    SUM(IF(status IN ('generated', 'reconciled', 'signed', 'invoiced', 'paid') OR status LIKE 'held%%', 0, acts))
        AS n_other,
    SUM(total_tiyn) AS total_tiyn
FROM by_status
GROUP BY period
ORDER BY period DESC
