INSERT INTO voucher_act (
    act_number, bin, period, region_code, status, rule_id, total_tiyn, children, payable_days,
    missing_marks, termination_flag, working_days, data_sha256
) VALUES (
    %(act_number)s, %(bin)s, %(period)s, %(region_code)s, %(act_status)s, %(rule_id)s, %(total_tiyn)s,
    %(children)s, %(payable_days)s, %(missing_marks)s, %(termination_flag)s, %(working_days)s,
    %(data_sha256)s
)
ON DUPLICATE KEY UPDATE
    status = VALUES (status),
    rule_id = VALUES (rule_id),
    total_tiyn = VALUES (total_tiyn),
    children = VALUES (children),
    payable_days = VALUES (payable_days),
    missing_marks = VALUES (missing_marks),
    termination_flag = VALUES (termination_flag),
    working_days = VALUES (working_days),
    data_sha256 = VALUES (data_sha256)
