-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Acts signed (or invoiced) more than `due_days` calendar days before `today` and unpaid.
SELECT
    a.act_number,
    a.bin,
    p.name AS provider_name,
    a.period,
    a.total_tiyn,
    a.status,
    a.signed_on,
    DATEDIFF(%(today)s, a.signed_on) - %(due_days)s AS days_overdue
FROM voucher_act AS a
INNER JOIN voucher_provider AS p ON a.bin = p.bin
WHERE
    a.status IN ('signed', 'invoiced')
    AND a.paid_on IS NULL
    AND DATEDIFF(%(today)s, a.signed_on) > %(due_days)s
ORDER BY a.signed_on, a.act_number
