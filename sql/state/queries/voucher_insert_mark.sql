INSERT INTO voucher_mark (bin, iin, mark_date, code, document)
VALUES (%(bin)s, %(iin)s, %(mark_date)s, %(code)s, %(document)s)
