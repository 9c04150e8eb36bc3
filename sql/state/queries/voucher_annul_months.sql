-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A dead child's voucher-months of the period are annulled (a redeemed one stays).
-- Params: period, iin.
INSERT INTO voucher_month (voucher_id, period, status, act_number)
SELECT
    voucher_id,
    %(period)s AS month_period,
    'annulled' AS month_status,
    NULL AS no_act
FROM voucher_voucher
WHERE iin = %(iin)s
ON DUPLICATE KEY UPDATE
    status = IF(voucher_month.status = 'redeemed', 'redeemed', 'annulled')
