INSERT INTO voucher_month (voucher_id, period, status, act_number)
VALUES (%(voucher_id)s, %(period)s, %(status)s, %(act_number)s)
ON DUPLICATE KEY UPDATE
    act_number = VALUES (act_number),
    status = IF(voucher_month.status IN ('redeemed', 'annulled'), voucher_month.status, 'active')
