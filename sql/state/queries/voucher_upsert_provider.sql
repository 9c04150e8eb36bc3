INSERT INTO voucher_provider (
    bin, name, region_code, funding_model, lms_name, estimate_tiyn, address
) VALUES (
    %(bin)s, %(name)s, %(region_code)s, %(funding_model)s, %(lms_name)s, %(estimate_tiyn)s, %(address)s
)
ON DUPLICATE KEY UPDATE
    name = VALUES (name),
    region_code = VALUES (region_code),
    funding_model = VALUES (funding_model),
    lms_name = VALUES (lms_name),
    estimate_tiyn = VALUES (estimate_tiyn),
    address = VALUES (address)
