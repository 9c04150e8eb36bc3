INSERT INTO voucher_contract (contract_id, bin, iin, child_name, group_type, start_date, end_date)
VALUES (%(contract_id)s, %(bin)s, %(iin)s, %(child_name)s, %(group_type)s, %(start_date)s, %(end_date)s)
