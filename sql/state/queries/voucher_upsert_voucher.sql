INSERT INTO voucher_voucher (voucher_id, iin, bin, status)
VALUES (%(voucher_id)s, %(iin)s, %(bin)s, %(status)s)
ON DUPLICATE KEY UPDATE
    iin = VALUES (iin),
    bin = VALUES (bin),
    status = VALUES (status)
