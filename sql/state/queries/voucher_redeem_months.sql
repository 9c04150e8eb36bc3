-- A paid act redeems its active voucher-months.
UPDATE voucher_month AS m
INNER JOIN voucher_act AS a ON m.act_number = a.act_number
SET m.status = 'redeemed'
WHERE a.status = 'paid' AND m.status = 'active'
