INSERT INTO voucher_region (code, name, emitent_bin, emitent_name)
VALUES (%(code)s, %(name)s, %(emitent_bin)s, %(emitent_name)s)
ON DUPLICATE KEY UPDATE
    name = VALUES (name),
    emitent_bin = VALUES (emitent_bin),
    emitent_name = VALUES (emitent_name)
