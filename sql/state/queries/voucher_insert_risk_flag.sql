INSERT INTO voucher_risk_flag (flag_id, kind, bin, iin, flagged_on, resolved_on, detail)
VALUES (%(flag_id)s, %(kind)s, %(bin)s, %(iin)s, %(flagged_on)s, %(resolved_on)s, %(detail)s)
