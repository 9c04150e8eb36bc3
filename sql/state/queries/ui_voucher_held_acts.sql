-- Held acts with their reasons: the act's status, missing marks, the provider's
-- status reason and the month's provider events (vouchers page).
SELECT
    a.act_number,
    a.period,
    a.bin,
    p.name AS provider,
    a.status,
    a.missing_marks,
    p.status AS provider_status,
    p.status_reason,
    (
        SELECT GROUP_CONCAT(CONCAT(e.kind, ': ', e.reason) ORDER BY e.kind SEPARATOR '; ')
        FROM voucher_provider_event AS e
        WHERE e.bin = a.bin AND e.period = a.period
    ) AS events
FROM voucher_act AS a
LEFT JOIN voucher_provider AS p ON a.bin = p.bin
WHERE a.status LIKE 'held%%'
ORDER BY a.period DESC, a.act_number ASC
