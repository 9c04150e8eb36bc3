INSERT INTO voucher_act (
    act_number, bin, period, region_code, status, rule_id, total_tiyn, children, payable_days,
    missing_marks, termination_flag, working_days, data_sha256
) VALUES (
    %(act_number)s, %(bin)s, %(period)s, %(region_code)s, %(act_status)s, %(rule_id)s, %(total_tiyn)s,
    %(children)s, %(payable_days)s, %(missing_marks)s, %(termination_flag)s, %(working_days)s,
    %(data_sha256)s
)
ON DUPLICATE KEY UPDATE
    -- changed data: the files made from the old data are no longer the act's (these two
    -- come first: MariaDB assigns left to right, so data_sha256 is still the old one)
    pdf_path = IF(data_sha256 <=> VALUES (data_sha256), pdf_path, NULL),
    esf_path = IF(data_sha256 <=> VALUES (data_sha256), esf_path, NULL),
    status = VALUES (status),
    rule_id = VALUES (rule_id),
    total_tiyn = VALUES (total_tiyn),
    children = VALUES (children),
    payable_days = VALUES (payable_days),
    missing_marks = VALUES (missing_marks),
    termination_flag = VALUES (termination_flag),
    working_days = VALUES (working_days),
    data_sha256 = VALUES (data_sha256)
