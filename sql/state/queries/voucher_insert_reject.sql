INSERT INTO voucher_reject (bin, mark_date, iin, code, document, reason)
VALUES (%(bin)s, %(mark_date)s, %(iin)s, %(code)s, %(document)s, %(reason)s)
