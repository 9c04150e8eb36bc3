-- Signed acts not paid within 30 calendar days of signing (vouchers page).
SELECT
    a.act_number,
    a.period,
    a.bin,
    p.name AS provider,
    a.status,
    a.total_tiyn,
    a.signed_on,
    DATE_ADD(a.signed_on, INTERVAL 30 DAY) AS due_on,
    DATEDIFF(CURDATE(), DATE_ADD(a.signed_on, INTERVAL 30 DAY)) AS days_overdue
FROM voucher_act AS a
LEFT JOIN voucher_provider AS p ON a.bin = p.bin
WHERE
    a.signed_on IS NOT NULL
    AND a.paid_on IS NULL
    AND DATE_ADD(a.signed_on, INTERVAL 30 DAY) < CURDATE()
ORDER BY a.signed_on ASC, a.act_number ASC
