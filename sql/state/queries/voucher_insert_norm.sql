INSERT INTO voucher_norm (region_code, age_group, group_type, norm_tiyn)
VALUES (%(region_code)s, %(age_group)s, %(group_type)s, %(norm_tiyn)s)
