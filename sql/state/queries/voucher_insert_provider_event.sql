INSERT INTO voucher_provider_event (bin, period, kind, reason)
VALUES (%(bin)s, %(period)s, %(kind)s, %(reason)s)
