INSERT INTO voucher_act_line (
    act_number, line_no, contract_id, voucher_id, iin, child_name, group_type, contract_days,
    attended_days, payable_days, norm_tiyn, amount_tiyn
) VALUES (
    %(act_number)s, %(line_no)s, %(contract_id)s, %(voucher_id)s, %(iin)s, %(child_name)s, %(group_type)s,
    %(contract_days)s, %(attended_days)s, %(payable_days)s, %(norm_tiyn)s, %(amount_tiyn)s
)
